import { describe, expect, test } from 'vitest';
import { type Backend, send, useCollector } from '../helpers/collector';

/** [id, rating, value on -100..100, created_at, reason] — scores 10, 0, 5, 7.5, 0, 10 */
const VOTES: [string, 'up' | 'down' | 'neutral', number, string, string | undefined][] = [
  ['r1', 'up', 100, '2026-11-19T08:00:00.000Z', undefined],
  ['r2', 'down', -100, '2026-11-19T23:59:59.999Z', 'Wrong'],
  ['r3', 'neutral', 0, '2026-11-20T00:00:00.000Z', undefined],
  ['r4', 'up', 50, '2026-11-20T12:00:00.000Z', 'Clear'],
  ['r5', 'down', -100, '2026-11-21T09:00:00.000Z', 'Wrong'],
  ['r6', 'up', 100, '2026-11-21T10:00:00.000Z', undefined],
];
const SENTIMENTS = { up: 'positive', down: 'negative', neutral: 'neutral' };

/** A vote on the -100..100 scale in `conversation`, with its sentiment and an optional reason. */
function vote(
  id: string,
  rating: keyof typeof SENTIMENTS,
  value: number,
  created_at: string,
  reason: string | undefined,
  conversation: string,
) {
  return {
    id,
    rating,
    sentiment: SENTIMENTS[rating],
    value,
    scale: { min: -100, max: 100 },
    conversation_id: conversation,
    ...(reason ? { reason } : {}),
    page_url: 'https://help.example.com/a',
    locale: 'en',
    created_at,
  };
}

describe.each<Backend>(['pglite', 'postgres'])('reading feedback on %s', (backend) => {
  const conversation = `conv-read-${backend}`;
  const collector = useCollector(backend, {
    seed: async (url) => {
      for (const [id, rating, value, created_at, reason] of VOTES) {
        const response = await send(`${url}api/feedback`, {
          body: vote(`${backend}-${id}`, rating, value, created_at, reason, conversation),
        });
        expect(response.status).toBe(201);
      }
    },
  });
  const ids = (body: { items: { id: string }[] }) => body.items.map((item) => item.id);
  const list = async (query: string) =>
    (await send(`${collector.url}api/feedback?conversation_id=${conversation}&${query}`)).body;

  const expected = (...names: string[]) => names.map((name) => `${backend}-${name}`);

  test('the list is newest first with the total', async () => {
    const body = await list('');
    expect(ids(body)).toEqual(expected('r6', 'r5', 'r4', 'r3', 'r2', 'r1'));
    expect(body.total).toBe(6);
  });

  test('votes dated the same moment follow in the order of their ids, whatever their arrival', async () => {
    const tied = `conv-tied-${backend}`;
    for (const name of ['tie-b', 'tie-c', 'tie-a']) {
      const body = vote(
        `${backend}-${name}`,
        'up',
        100,
        '2026-11-22T08:00:00.000Z',
        undefined,
        tied,
      );
      expect((await send(`${collector.url}api/feedback`, { body })).status).toBe(201);
    }
    const body = (await send(`${collector.url}api/feedback?conversation_id=${tied}`)).body;
    expect(ids(body)).toEqual(expected('tie-a', 'tie-b', 'tie-c'));
  });

  test('limit and offset page through the list while total counts every match', async () => {
    const body = await list('limit=2&offset=2');
    expect([ids(body), body.total]).toEqual([expected('r4', 'r3'), 6]);
  });

  test('an offset past the end gives no items', async () => {
    expect(await list('offset=50')).toEqual({ items: [], total: 6 });
  });

  test('min_score and max_score keep scores within them, inclusive', async () => {
    expect(ids(await list('min_score=5&max_score=7.5'))).toEqual(expected('r4', 'r3'));
  });

  test('rating keeps one rating', async () => {
    expect(ids(await list('rating=down'))).toEqual(expected('r5', 'r2'));
  });

  test('from and to keep whole UTC days, inclusive', async () => {
    expect(ids(await list('from=2026-11-19&to=2026-11-19'))).toEqual(expected('r2', 'r1'));
    expect(ids(await list('from=2026-11-20'))).toEqual(expected('r6', 'r5', 'r4', 'r3'));
  });

  test('the first and last days PostgreSQL can hold are bounds like any other', async () => {
    expect(ids(await list('from=0001-01-01&to=9999-12-31'))).toEqual(
      expected('r6', 'r5', 'r4', 'r3', 'r2', 'r1'),
    );
  });

  test('conversation_id keeps one conversation', async () => {
    const other = (await send(`${collector.url}api/feedback?conversation_id=nobody`)).body;
    expect(other).toEqual({ items: [], total: 0 });
  });

  test('the default page holds 20 records', async () => {
    for (let i = 0; i < 21; i++) {
      await send(`${collector.url}api/sentiment`, {
        body: { conversation_id: `many-${backend}`, sentiment: 'positive' },
      });
    }
    const body = (await send(`${collector.url}api/feedback?conversation_id=many-${backend}`)).body;
    expect([body.items.length, body.total]).toEqual([20, 21]);
  });

  test.each([
    ['limit', 'limit=0'],
    ['limit', 'limit=101'],
    ['limit', 'limit=ten'],
    ['offset', 'offset=-1'],
    ['offset', 'offset=1.5'],
    ['min_score', 'min_score=11'],
    ['min_score', 'min_score=-1'],
    ['max_score', 'max_score=high'],
    ['min_score', 'min_score=8&max_score=2'],
    ['rating', 'rating=great'],
    ['from', 'from=2026-13-01'],
    ['to', 'to=2026-02-30'],
    ['to', 'to=21/11/2026'],
    ['from', 'from=2026-11-21&to=2026-11-20'],
    ['from', 'from=0000-01-01'],
    ['to', 'to=10000-01-01'],
    ['conversation_id', `conversation_id=${'x'.repeat(201)}`],
  ])('a bad %s (%s) answers 400 naming it', async (field, query) => {
    const response = await send(`${collector.url}api/feedback?${query}`);
    expect([response.status, response.body.field]).toEqual([400, field]);
  });

  describe('one record', () => {
    test('an id that was stored answers the record', async () => {
      const response = await send(`${collector.url}api/feedback/${backend}-r4`);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ id: `${backend}-r4`, score: 7.5, reason: 'Clear' });
    });

    test('an id that was never stored answers 404', async () => {
      const response = await send(`${collector.url}api/feedback/never-stored`);
      expect([response.status, response.body.field]).toEqual([404, 'id']);
    });

    test.each([
      ['over 200 characters', 'x'.repeat(201)],
      ['not UTF-8', '%E0%A4%A'],
      ['with a control character', 'a%0Ab'],
    ])('an id %s answers 400', async (_, id) => {
      const response = await send(`${collector.url}api/feedback/${id}`);
      expect([response.status, response.body.field]).toEqual([400, 'id']);
    });
  });

  describe('stats', () => {
    const stats = async (query: string) =>
      (await send(`${collector.url}api/feedback/stats?conversation_id=${conversation}&${query}`))
        .body;

    test('the figures of a known set of votes', async () => {
      expect(await stats('')).toEqual({
        total: 6,
        by_rating: { up: 3, down: 2, neutral: 1 },
        positive_rate: 0.5,
        mean_score: 5.42,
        score_distribution: [
          { score: 0, count: 2 },
          { score: 1, count: 0 },
          { score: 2, count: 0 },
          { score: 3, count: 0 },
          { score: 4, count: 0 },
          { score: 5, count: 1 },
          { score: 6, count: 0 },
          { score: 7, count: 0 },
          { score: 8, count: 1 },
          { score: 9, count: 0 },
          { score: 10, count: 2 },
        ],
        top_reasons: [
          { reason: 'Wrong', count: 2 },
          { reason: 'Clear', count: 1 },
        ],
        daily: [
          {
            day: '2026-11-19',
            total: 2,
            up: 1,
            down: 1,
            neutral: 0,
            positive_rate: 0.5,
            mean_score: 5,
          },
          {
            day: '2026-11-20',
            total: 2,
            up: 1,
            down: 0,
            neutral: 1,
            positive_rate: 0.5,
            mean_score: 6.25,
          },
          {
            day: '2026-11-21',
            total: 2,
            up: 1,
            down: 1,
            neutral: 0,
            positive_rate: 0.5,
            mean_score: 5,
          },
        ],
      });
    });

    test('from and to narrow the figures to their days', async () => {
      const body = await stats('from=2026-11-20&to=2026-11-20');
      expect([body.total, body.mean_score, body.top_reasons]).toEqual([
        2,
        6.25,
        [{ reason: 'Clear', count: 1 }],
      ]);
    });

    test('no votes give zero counts, no rates (never null) and eleven empty buckets', async () => {
      const body = (await send(`${collector.url}api/feedback/stats?conversation_id=nobody`)).body;
      expect(body).toMatchObject({ total: 0, top_reasons: [], daily: [] });
      expect(body).not.toHaveProperty('positive_rate');
      expect(body).not.toHaveProperty('mean_score');
      expect(body.score_distribution.map((b: { count: number }) => b.count)).toEqual(
        Array(11).fill(0),
      );
    });

    test('a bad from answers 400 naming it', async () => {
      const response = await send(`${collector.url}api/feedback/stats?from=yesterday`);
      expect([response.status, response.body.field]).toEqual([400, 'from']);
    });

    test('from 0001-01-01 to 9999-12-31 counts every vote', async () => {
      const all = await stats('');
      expect((await stats('from=0001-01-01&to=9999-12-31')).total).toBe(all.total);
    });
  });
});

describe.each<Backend>(['pglite', 'postgres'])('stats from the daily rollup on %s', (backend) => {
  const conversation = 'conv-rollup';
  const collector = useCollector(backend, {
    seed: async (url) => {
      const reasons = ['Wrong', 'Clear', undefined, 'Wrong', 'Too long', undefined, 'Clear'];
      for (let i = 0; i < 40; i++) {
        const value = [-100, -50, 0, 13, 50, 77, 100][i % 7] as number;
        const rating = value > 0 ? 'up' : value < 0 ? 'down' : 'neutral';
        const reason = reasons[i % reasons.length];
        const day = String(10 + (i % 5)).padStart(2, '0');
        const hour = String(i % 24).padStart(2, '0');
        const createdAt = `2026-11-${day}T${hour}:00:00+02:00`;
        const response = await send(`${url}api/feedback`, {
          body: vote(`rollup-${backend}-${i}`, rating, value, createdAt, reason, conversation),
        });
        expect(response.status).toBe(201);
      }
      // A repeat is stored once, and so counted once.
      await send(`${url}api/sentiment`, {
        body: { conversation_id: conversation, sentiment: 'positive' },
      });
    },
  });
  const stats = async (query: string) =>
    (await send(`${collector.url}api/feedback/stats?${query}`)).body;

  test.each(['', 'from=2026-11-11', 'to=2026-11-12', 'from=2026-11-11&to=2026-11-11'])(
    'with `%s` the rollup gives the figures the votes themselves give',
    async (query) => {
      // Every vote of this collector is in one conversation: filtering on it reads the votes.
      const fromVotes = await stats(`conversation_id=${conversation}&${query}`);
      expect(await stats(query)).toEqual(fromVotes);
      expect(fromVotes.total).toBeGreaterThan(0);
    },
  );
});
