import { describe, expect, test } from 'vitest';
import { type Backend, send, useCollector } from '../helpers/collector';

let counter = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;

const EVENT = {
  id: 'evt-valid',
  rating: 'up',
  sentiment: 'positive',
  value: 100,
  scale: { min: -100, max: 100 },
  page_url: 'https://help.example.com/articles/42',
  locale: 'en',
  created_at: '2026-11-21T10:00:00.000Z',
};
const without = (body: Record<string, unknown>, key: string) => {
  const { [key]: _, ...rest } = body;
  return rest;
};
const long = (length: number) => 'x'.repeat(length);

/** [what is wrong, path, body, the field the 400 must name] */
const BAD: [string, string, unknown, string][] = [
  ['an event without id', 'feedback', without(EVENT, 'id'), 'id'],
  ['an event id that is a number', 'feedback', { ...EVENT, id: 7 }, 'id'],
  ['an event id over 200 characters', 'feedback', { ...EVENT, id: long(201) }, 'id'],
  ['an empty event id', 'feedback', { ...EVENT, id: '' }, 'id'],
  ['an unknown rating', 'feedback', { ...EVENT, rating: 'great' }, 'rating'],
  ['a missing rating', 'feedback', without(EVENT, 'rating'), 'rating'],
  [
    'a sentiment that contradicts the rating',
    'feedback',
    { ...EVENT, sentiment: 'negative' },
    'sentiment',
  ],
  ['a value outside the scale', 'feedback', { ...EVENT, value: 101 }, 'value'],
  ['a value that is a string', 'feedback', { ...EVENT, value: '100' }, 'value'],
  ['a missing scale', 'feedback', without(EVENT, 'scale'), 'scale'],
  ['a scale without min', 'feedback', { ...EVENT, scale: { max: 100 } }, 'scale.min'],
  ['a scale whose max is text', 'feedback', { ...EVENT, scale: { min: 0, max: '1' } }, 'scale.max'],
  [
    'a scale with min above max',
    'feedback',
    { ...EVENT, value: 0, scale: { min: 1, max: 0 } },
    'scale',
  ],
  ['a reason over 500 characters', 'feedback', { ...EVENT, reason: long(501) }, 'reason'],
  ['a comment over 5000 characters', 'feedback', { ...EVENT, comment: long(5001) }, 'comment'],
  ['a comment that is an object', 'feedback', { ...EVENT, comment: {} }, 'comment'],
  ['metadata that is an array', 'feedback', { ...EVENT, metadata: [1] }, 'metadata'],
  ['metadata that is a string', 'feedback', { ...EVENT, metadata: '{}' }, 'metadata'],
  ['a page_url that is null', 'feedback', { ...EVENT, page_url: null }, 'page_url'],
  ['a locale that is a number', 'feedback', { ...EVENT, locale: 7 }, 'locale'],
  [
    'a page_url that is not http(s)',
    'feedback',
    { ...EVENT, page_url: 'javascript:1' },
    'page_url',
  ],
  ['a locale that is not a language tag', 'feedback', { ...EVENT, locale: 'en_US!' }, 'locale'],
  [
    'a created_at that is not a date',
    'feedback',
    { ...EVENT, created_at: 'yesterday' },
    'created_at',
  ],
  [
    'a created_at without offset',
    'feedback',
    { ...EVENT, created_at: '2026-11-21T10:00:00' },
    'created_at',
  ],
  ['an empty conversation_id', 'feedback', { ...EVENT, conversation_id: '' }, 'conversation_id'],
  [
    'a message_id over 200 characters',
    'feedback',
    { ...EVENT, message_id: long(201) },
    'message_id',
  ],
  ['a session_id that is a number', 'feedback', { ...EVENT, session_id: 9 }, 'session_id'],
  ['a user_id with a newline', 'feedback', { ...EVENT, user_id: 'u\n7' }, 'user_id'],
  ['a replaces that is null', 'feedback', { ...EVENT, replaces: null }, 'replaces'],
  ['a body that is an array', 'feedback', [EVENT], 'body'],
  [
    'a sentiment without conversation_id',
    'sentiment',
    { sentiment: 'positive' },
    'conversation_id',
  ],
  ['an unknown sentiment', 'sentiment', { conversation_id: 'c', sentiment: 'happy' }, 'sentiment'],
  [
    'a sentiment comment over 5000 characters',
    'sentiment',
    { conversation_id: 'c', sentiment: 'positive', comment: long(5001) },
    'comment',
  ],
  [
    'sentiment metadata that is a string',
    'sentiment',
    { conversation_id: 'c', sentiment: 'positive', metadata: 'x' },
    'metadata',
  ],
  [
    'a metadata.reason over 500 characters',
    'sentiment',
    { conversation_id: 'c', sentiment: 'negative', metadata: { reason: long(501) } },
    'metadata.reason',
  ],
  ['an upvote of 0', 'conversations/c/upvote', { value: 0 }, 'value'],
  ['an upvote over 100', 'conversations/c/upvote', { value: 101 }, 'value'],
  ['an upvote that is not whole', 'conversations/c/upvote', { value: 1.5 }, 'value'],
  ['a positive downvote', 'conversations/c/downvote', { value: 5 }, 'value'],
  [
    'a vote reason longer than a reason and a comment',
    'conversations/c/upvote',
    { reason: long(5503) },
    'reason',
  ],
  ['a vote user_id that is a number', 'conversations/c/upvote', { user_id: 1 }, 'user_id'],
  [
    'a conversation id over 200 characters in the path',
    `conversations/${long(201)}/upvote`,
    {},
    'conversation_id',
  ],
  [
    'a conversation id that is not UTF-8 in the path',
    'conversations/%E0%A4%A/upvote',
    {},
    'conversation_id',
  ],
  ['a score without session_id', 'assistants/a/feedbacks', { score: 1 }, 'session_id'],
  ['a score above the scale', 'assistants/a/feedbacks', { session_id: 's', score: 2 }, 'score'],
  ['a score that is text', 'assistants/a/feedbacks', { session_id: 's', score: 'high' }, 'score'],
  [
    'a ?scale= that is not MIN..MAX',
    'assistants/a/feedbacks?scale=ten',
    { session_id: 's', score: 1 },
    'scale',
  ],
  [
    'a ?scale= upside down',
    'assistants/a/feedbacks?scale=10..0',
    { session_id: 's', score: 1 },
    'scale',
  ],
  [
    'a score text that is a number',
    'assistants/a/feedbacks',
    { session_id: 's', score: 1, text: 4 },
    'text',
  ],
  [
    'a quality without original_message_id',
    'messages/feedback',
    { quality_score: 50 },
    'original_message_id',
  ],
  [
    'a quality_score over 100',
    'messages/feedback',
    { original_message_id: 'm', quality_score: 101 },
    'quality_score',
  ],
  ['a missing quality_score', 'messages/feedback', { original_message_id: 'm' }, 'quality_score'],
  [
    'a customer_responded that is text',
    'messages/feedback',
    { original_message_id: 'm', quality_score: 5, customer_responded: 'yes' },
    'customer_responded',
  ],
  [
    'a negative time_to_respond_ms',
    'messages/feedback',
    { original_message_id: 'm', quality_score: 5, time_to_respond_ms: -1 },
    'time_to_respond_ms',
  ],
  ['an event id of .', 'feedback', { ...EVENT, id: '.' }, 'id'],
  ['an event id of ..', 'feedback', { ...EVENT, id: '..' }, 'id'],
  [
    'a created_at in year 0',
    'feedback',
    { ...EVENT, created_at: '0000-01-01T00:00:00Z' },
    'created_at',
  ],
  [
    'a created_at offset of +16:00',
    'feedback',
    { ...EVENT, created_at: '2026-11-21T10:00:00+16:00' },
    'created_at',
  ],
  [
    'a created_at offset of +23:59',
    'feedback',
    { ...EVENT, created_at: '2026-11-21T10:00:00+23:59' },
    'created_at',
  ],
  [
    'a created_at on February 30',
    'feedback',
    { ...EVENT, created_at: '2026-02-30T10:00:00Z' },
    'created_at',
  ],
  [
    'a created_at at hour 24',
    'feedback',
    { ...EVENT, created_at: '2026-11-21T24:00:00Z' },
    'created_at',
  ],
  [
    'metadata nested 10,000 levels deep',
    'feedback',
    JSON.stringify({ ...EVENT, metadata: 0 }).replace(
      '"metadata":0',
      `"metadata":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`,
    ),
    'metadata',
  ],
  [
    'metadata nested 33 levels deep',
    'feedback',
    { ...EVENT, metadata: JSON.parse(`${'{"a":'.repeat(33)}1${'}'.repeat(33)}`) },
    'metadata',
  ],
  [
    'a ?scale= bound of 400 digits',
    `assistants/a/feedbacks?scale=0..${'9'.repeat(400)}`,
    { session_id: 's', score: 1 },
    'scale',
  ],
  [
    'a ?scale= bound beyond 1e15',
    'assistants/a/feedbacks?scale=-9999999999999999..0',
    { session_id: 's', score: -1 },
    'scale',
  ],
  ['invalid JSON', 'feedback', '{"id": ', 'body'],
  ['an empty body', 'sentiment', '', 'body'],
  [
    'an unknown field nested 5,000 levels deep',
    'feedback',
    JSON.stringify({ ...EVENT, extra: 0 }).replace(
      '"extra":0',
      `"extra":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`,
    ),
    'extra',
  ],
  [
    'a body of arrays nested 5,000 levels deep',
    'sentiment',
    `${'['.repeat(5000)}${']'.repeat(5000)}`,
    'body',
  ],
  [
    '1e999 inside metadata',
    'feedback',
    JSON.stringify({ ...EVENT, metadata: 0 }).replace('"metadata":0', '"metadata":{"n":[1e999]}'),
    'metadata',
  ],
  ['-1e999 in an unknown field of a vote', 'conversations/c/upvote', '{"extra":-1e999}', 'extra'],
  ...['stats', 'counts', 'attention', 'export', 'bulk'].map(
    (id): [string, string, unknown, string] => [
      `an event id of ${id}, which GET /api/feedback/${id} answers in place of`,
      'feedback',
      { ...EVENT, id },
      'id',
    ],
  ),
];

describe.each<Backend>(['pglite', 'postgres'])('rules on %s', (backend) => {
  const collector = useCollector(backend);
  const api = (path: string) => `${collector.url}api/${path}`;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    send(api(path), { method: 'POST', body, headers });
  const total = async (conversation: string) =>
    (await send(api(`feedback?conversation_id=${encodeURIComponent(conversation)}`))).body.total;

  test.each(BAD)('%s answers 400 naming the field', async (_, path, body, field) => {
    const response = await post(path, body);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: expect.stringContaining(`\`${field}\``), field });
  });

  test('an event without page_url and locale, as a collector forwards a vote-route record, is stored without them', async () => {
    const id = unique('evt-nopage');
    const body = without(without({ ...EVENT, id }, 'page_url'), 'locale');
    expect((await post('feedback', body)).status).toBe(201);
    const stored = (await send(api(`feedback/${id}`))).body;
    expect(stored).toMatchObject({ id, rating: 'up', format: 'event' });
    expect(stored).not.toHaveProperty('page_url');
    expect(stored).not.toHaveProperty('locale');
  });

  test('an invalid body stores nothing', async () => {
    const conversation = unique('conv');
    await post('sentiment', { conversation_id: conversation, sentiment: 'happy' });
    expect(await total(conversation)).toBe(0);
  });

  test('an Idempotency-Key over 200 characters answers 400 naming the header', async () => {
    const response = await post(
      'feedback',
      { ...EVENT, id: unique('evt') },
      { 'Idempotency-Key': long(201) },
    );
    expect([response.status, response.body.field]).toEqual([400, 'Idempotency-Key']);
  });

  describe('Idempotency-Key', () => {
    test('a repeated key answers exactly as the first time and stores nothing more', async () => {
      const conversation = unique('conv');
      const key = crypto.randomUUID();
      const body = { conversation_id: conversation, sentiment: 'positive' };
      const first = await post('sentiment', body, { 'Idempotency-Key': key });
      const repeat = await post('sentiment', body, { 'Idempotency-Key': key });
      expect([repeat.status, repeat.body]).toEqual([first.status, first.body]);
      expect(await total(conversation)).toBe(1);
    });

    test('eight identical requests at once store one record and all get the same answer', async () => {
      const conversation = unique('conv');
      const key = crypto.randomUUID();
      const body = { session_id: 's', score: 1 };
      const responses = await Promise.all(
        Array.from({ length: 8 }, () =>
          post(`assistants/${conversation}/feedbacks`, body, { 'Idempotency-Key': key }),
        ),
      );
      expect(new Set(responses.map((r) => JSON.stringify([r.status, r.body]))).size).toBe(1);
      const list = await send(api('feedback?limit=100'));
      const mine = list.body.items.filter(
        (item: { assistant_id?: string }) => item.assistant_id === conversation,
      );
      expect(mine).toHaveLength(1);
    });

    test('a vote replayed by its key answers 200 as the first time', async () => {
      const conversation = unique('conv');
      const key = crypto.randomUUID();
      const first = await post(
        `conversations/${conversation}/upvote`,
        { value: 40 },
        { 'Idempotency-Key': key },
      );
      const repeat = await post(
        `conversations/${conversation}/upvote`,
        { value: 40 },
        { 'Idempotency-Key': key },
      );
      expect([repeat.status, repeat.body]).toEqual([200, first.body]);
    });

    test('a key reused with another body answers 422 naming the key and stores nothing', async () => {
      const conversation = unique('conv');
      const key = crypto.randomUUID();
      const body = { conversation_id: conversation, sentiment: 'positive' };
      await post('sentiment', body, { 'Idempotency-Key': key });
      const reused = await post(
        'sentiment',
        { ...body, sentiment: 'negative' },
        { 'Idempotency-Key': key },
      );
      expect([reused.status, reused.body.field]).toEqual([422, 'Idempotency-Key']);
      expect(await total(conversation)).toBe(1);
    });

    test('a key reused on another route answers 422', async () => {
      const key = crypto.randomUUID();
      await post(`conversations/${unique('conv')}/upvote`, {}, { 'Idempotency-Key': key });
      const reused = await post(
        `conversations/${unique('conv')}/upvote`,
        {},
        { 'Idempotency-Key': key },
      );
      expect([reused.status, reused.body.field]).toEqual([422, 'Idempotency-Key']);
    });

    test('different keys store different records', async () => {
      const conversation = unique('conv');
      const body = { conversation_id: conversation, sentiment: 'positive' };
      await post('sentiment', body, { 'Idempotency-Key': crypto.randomUUID() });
      await post('sentiment', body, { 'Idempotency-Key': crypto.randomUUID() });
      expect(await total(conversation)).toBe(2);
    });
  });

  describe('event ids', () => {
    test('an event id sent again answers as the first time and keeps the first record', async () => {
      const conversation = unique('conv');
      const id = unique('evt');
      const first = await post('feedback', {
        ...EVENT,
        id,
        conversation_id: conversation,
        comment: 'first',
      });
      const repeat = await post('feedback', {
        ...EVENT,
        id,
        conversation_id: conversation,
        comment: 'second',
      });
      expect([repeat.status, repeat.body]).toEqual([201, first.body]);
      expect((await send(api(`feedback/${id}`))).body.comment).toBe('first');
      expect(await total(conversation)).toBe(1);
    });

    test('the same event id posted five times at once is stored once', async () => {
      const conversation = unique('conv');
      const body = { ...EVENT, id: unique('evt'), conversation_id: conversation };
      const responses = await Promise.all(Array.from({ length: 5 }, () => post('feedback', body)));
      expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
      expect(await total(conversation)).toBe(1);
    });
  });

  describe('the vote window', () => {
    test('a second vote by the same client on a conversation answers 200 and records nothing', async () => {
      const conversation = unique('conv');
      await post(`conversations/${conversation}/upvote`, {});
      const repeat = await post(`conversations/${conversation}/downvote`, { value: -50 });
      expect([repeat.status, repeat.body]).toEqual([
        200,
        { conversation_id: conversation, value: -50 },
      ]);
      const { body } = await send(api(`feedback?conversation_id=${conversation}`));
      expect([body.total, body.items[0].rating]).toEqual([1, 'up']);
    });

    test('votes of two different user ids from one client are both recorded', async () => {
      const conversation = unique('conv');
      await post(`conversations/${conversation}/upvote`, { user_id: 'u-1' });
      await post(`conversations/${conversation}/upvote`, { user_id: 'u-2' });
      expect(await total(conversation)).toBe(2);
    });

    test('a repeat by the same user id is not recorded', async () => {
      const conversation = unique('conv');
      await post(`conversations/${conversation}/upvote`, { user_id: 'u-1' });
      await post(`conversations/${conversation}/upvote`, { user_id: 'u-1' });
      expect(await total(conversation)).toBe(1);
    });

    test('five votes at once by one voter record one', async () => {
      const conversation = unique('conv');
      const responses = await Promise.all(
        Array.from({ length: 5 }, () => post(`conversations/${conversation}/upvote`, {})),
      );
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      expect(await total(conversation)).toBe(1);
    });

    test('the same voter may vote on another conversation', async () => {
      const [one, two] = [unique('conv'), unique('conv')];
      await post(`conversations/${one}/upvote`, {});
      await post(`conversations/${two}/upvote`, {});
      expect([await total(one), await total(two)]).toEqual([1, 1]);
    });

    test('with the window off every vote is recorded', async () => {
      const open = await collector.storage.start({ voteWindow: 'off' });
      try {
        const conversation = unique('conv');
        const url = `${open.url}api/conversations/${conversation}/upvote`;
        await send(url, { body: {} });
        await send(url, { body: {} });
        const list = await send(`${open.url}api/feedback?conversation_id=${conversation}`);
        expect(list.body.total).toBe(2);
      } finally {
        await open.close();
      }
    });
  });
});
