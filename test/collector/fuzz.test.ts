import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { type Backend, minimalEvent, send, useCollector } from '../helpers/collector';

/**
 * Property-based: whatever a client sends to any route, the collector answers with a 2xx or a
 * 4xx naming the field, never a 5xx (which the widget would retry for 7 days), and the figures
 * it serves afterwards stay finite.
 */

const EVENT = minimalEvent('fuzz');

/** Values that have broken parsers before: extremes, near-misses of valid values, odd types. */
const hostile = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    1e308,
    -1e308,
    5e-324,
    -0,
    Number.MAX_SAFE_INTEGER,
    '9'.repeat(400),
    '',
    '.',
    '..',
    '\u0000',
    '\ud800',
    '0000-01-01T00:00:00Z',
    '2026-11-21T10:00:00+16:00',
    '2026-02-30T00:00:00Z',
    '9999-12-31T23:59:59-15:59',
    '0001-01-01T00:00:00+15:59',
    '+275760-09-13T00:00:00Z',
  ),
  fc.string({ maxLength: 40 }),
  fc.double(),
);

const FIELDS = [
  'id',
  'rating',
  'sentiment',
  'value',
  'scale',
  'conversation_id',
  'message_id',
  'session_id',
  'user_id',
  'reason',
  'comment',
  'replaces',
  'page_url',
  'locale',
  'created_at',
  'metadata',
];

/** [route, a valid body the property bends one or more fields of] */
const ROUTES: [string, Record<string, unknown>][] = [
  ['feedback', EVENT],
  ['sentiment', { conversation_id: 'c', sentiment: 'negative', metadata: { reason: 'r' } }],
  ['conversations/c/upvote', { value: 5, user_id: 'u', reason: 'r' }],
  ['assistants/a/feedbacks', { session_id: 's', score: 0.5, text: 't' }],
  [
    'messages/feedback',
    {
      original_message_id: 'm',
      quality_score: 50,
      customer_responded: true,
      time_to_respond_ms: 5,
    },
  ],
];

const QUERY = [
  'limit',
  'offset',
  'from',
  'to',
  'min_score',
  'max_score',
  'rating',
  'conversation_id',
  'feedback_id',
  'destination',
  'status',
];
const queryValue = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom(
    '0000-01-01',
    '9999-12-31',
    '0001-01-01',
    '2026-02-29',
    '1e400',
    'NaN',
    '-0',
    '\u0000',
    'a\nb',
    '\ud800',
    'x'.repeat(10_000),
  ),
  fc.double().map(String),
);

/** Query strings as a client may type them: percent signs that start no valid UTF-8 included. */
const rawQuery = fc.string({
  unit: fc.constantFrom('%', '0', 'F', 'Z', 'C', '3', 'A', '=', '&', '+', 'q', 'limit', '_'),
  maxLength: 20,
});

const okStatus = (status: number) => status < 500;

describe.each<Backend>(['pglite', 'postgres'])('fuzzing the collector on %s', (backend) => {
  const collector = useCollector(backend);
  const api = (path: string) => `${collector.url}api/${path}`;
  let counter = 0;

  test('no body on any intake route gets a 5xx; every 400 names a field', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        fc.dictionary(fc.constantFrom(...FIELDS, 'score', 'text', 'quality_score'), hostile, {
          maxKeys: 3,
        }),
        fc.option(fc.constantFrom('0..1', '-5..5', '0..1e3', `0..${'9'.repeat(30)}`, '1..1')),
        async ([path, valid], bent, scale) => {
          const query = scale === null ? '' : `?scale=${scale}`;
          const body = { ...valid, ...bent };
          if (path === 'feedback' && typeof body.id !== 'string') body.id = `fuzz-${++counter}`;
          const response = await send(api(`${path}${query}`), { body });
          expect(okStatus(response.status), JSON.stringify(response.body)).toBe(true);
          if (response.status === 400) expect(typeof response.body.field).toBe('string');
        },
      ),
      { numRuns: 150 },
    );
  });

  test('no query on the list, stats and deliveries routes gets a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('feedback', 'feedback/stats', 'deliveries'),
        fc.dictionary(fc.constantFrom(...QUERY), queryValue, { maxKeys: 3 }),
        async (path, params) => {
          const response = await send(api(`${path}?${new URLSearchParams(params)}`));
          expect(okStatus(response.status), JSON.stringify(response.body)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  test('no raw query string on a read route, however it is percent-encoded, gets a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('feedback', 'feedback/stats', 'feedback/export', 'deliveries'),
        rawQuery,
        async (path, query) => {
          const response = await fetch(api(`${path}?${query}`));
          const text = await response.text();
          expect(okStatus(response.status), text).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  test('after all of it the stats are finite numbers', async () => {
    const response = await send(api('feedback/stats'));
    expect(response.status).toBe(200);
    expect(response.body.total).toBeGreaterThan(0);
    // A NaN or Infinity would come out of JSON as null.
    expect(Number.isFinite(response.body.mean_score)).toBe(true);
    expect(Number.isFinite(response.body.positive_rate)).toBe(true);
  });
});
