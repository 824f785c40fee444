import { describe, expect, test } from 'vitest';
import { type Backend, minimalEvent, send, useCollector } from '../helpers/collector';

const NOW = Date.parse('2026-11-22T12:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The lower bound of the Wilson score interval at z = 1.96, written out independently. */
function wilsonLower(down: number, votes: number): number {
  const z = 1.96;
  const p = down / votes;
  const centre = p + (z * z) / (2 * votes);
  const margin = z * Math.sqrt((p * (1 - p)) / votes + (z * z) / (4 * votes * votes));
  return (centre - margin) / (1 + (z * z) / votes);
}

const DOWN = { rating: 'down', sentiment: 'negative', value: 0 };

describe.each<Backend>(['pglite', 'postgres'])('attention on %s', (backend) => {
  let ids = 0;
  const api = (path: string) => `${collector.url}api/${path}`;

  /** Posts `count` votes on `fields`, created `ago` ms before NOW. */
  async function votes(count: number, ago: number, fields: Record<string, unknown>) {
    const created_at = new Date(NOW - ago).toISOString();
    for (let i = 0; i < count; i++) {
      const body = minimalEvent(`${backend}-att-${++ids}`, { created_at, ...fields });
      expect((await send(api('feedback'), { body })).status).toBe(201);
    }
  }
  const ranking = async (query = '') => {
    const response = await send(api(`feedback/attention?${query}`));
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body.items;
  };

  const collector = useCollector(backend, {
    start: { clock: () => new Date(NOW) },
    seed: async () => {
      const page = (name: string) => ({ page_url: `https://help.example.com/${name}` });
      // m-many: 45 of 100 down this week, 1 of 4 the week before.
      await votes(40, DAY, {
        ...DOWN,
        message_id: 'm-many',
        reason: 'Wrong',
        reason_key: 'incorrect',
        ...page('a'),
      });
      await votes(5, DAY, {
        ...DOWN,
        message_id: 'm-many',
        reason: 'Vague',
        reason_key: 'unclear',
        ...page('a'),
      });
      await votes(55, 2 * DAY, { message_id: 'm-many', ...page('a') });
      await votes(1, 8 * DAY, { ...DOWN, message_id: 'm-many', ...page('a') });
      await votes(3, 10 * DAY, { message_id: 'm-many', ...page('a') });
      // m-one: 1 of 1 down.
      await votes(1, HOUR, { ...DOWN, message_id: 'm-one', ...page('b') });
      // m-fine: 6 up.
      await votes(6, HOUR, { message_id: 'm-fine', ...page('b') });
      // m-old: 9 down, all older than a week.
      await votes(9, 7 * DAY + HOUR, { ...DOWN, message_id: 'm-old', ...page('c') });
    },
  });

  test('subjects are ranked by the lower bound of their down share, with the week before', async () => {
    const items = await ranking();
    expect(items.map((item: { key: string }) => item.key)).toEqual(['m-many', 'm-fine']);
    expect(items[0]).toEqual({
      key: 'm-many',
      votes: 100,
      up: 55,
      down: 45,
      neutral: 0,
      down_rate: 0.45,
      down_rate_lower: Number(wilsonLower(45, 100).toFixed(4)),
      top_reason_key: 'incorrect',
      previous: { votes: 4, down_rate: 0.25 },
      last_at: new Date(NOW - DAY).toISOString(),
    });
    expect(items[1]).toMatchObject({ key: 'm-fine', votes: 6, down: 0, down_rate_lower: 0 });
    expect(items[1]).not.toHaveProperty('top_reason_key');
  });

  test('40 of 100 ranks above 1 of 1', async () => {
    const items = await ranking('min_votes=1');
    const keys = items.map((item: { key: string }) => item.key);
    expect(keys.indexOf('m-many')).toBeLessThan(keys.indexOf('m-one'));
    expect(items.find((item: { key: string }) => item.key === 'm-one')).toMatchObject({
      votes: 1,
      down_rate: 1,
      down_rate_lower: Number(wilsonLower(1, 1).toFixed(4)),
      previous: { votes: 0, down_rate: 0 },
    });
  });

  test('the window decides which votes count, and the window before is the same length', async () => {
    const items = await ranking('window=30d&min_votes=1');
    expect(items.find((item: { key: string }) => item.key === 'm-old')).toMatchObject({
      votes: 9,
      down_rate: 1,
    });
    expect(
      (await ranking('window=12h&min_votes=1')).map((item: { key: string }) => item.key),
    ).toEqual(['m-one', 'm-fine']);
    const hours = await ranking('window=36h&min_votes=1');
    expect(hours.find((item: { key: string }) => item.key === 'm-many')).toMatchObject({
      votes: 45,
      previous: { votes: 55, down_rate: 0 },
    });
  });

  test('by page ranks the pages', async () => {
    const items = await ranking('by=page');
    expect(items.map((item: { key: string }) => item.key)).toEqual([
      'https://help.example.com/a',
      'https://help.example.com/b',
    ]);
    expect(items[1]).toMatchObject({ votes: 7, down: 1 });
  });

  test('limit keeps the first ones', async () => {
    expect(await ranking('min_votes=1&limit=1')).toHaveLength(1);
  });

  test('spam is left out', async () => {
    const { body } = await send(api('feedback?q=message:m-one'));
    const [spam] = body.items;
    await send(api(`feedback/${spam.id}`), { method: 'PATCH', body: { status: 'spam' } });
    const keys = (await ranking('min_votes=1')).map((item: { key: string }) => item.key);
    expect(keys).not.toContain('m-one');
  });

  test('pages tied on their figures follow in the order of their URLs, past the limit too', async () => {
    // Counted by the digest of their URLs, in which these come in another order.
    for (const name of ['tie-u', 'tie-t', 'tie-s', 'tie-r', 'tie-q', 'tie-p']) {
      await votes(1, 3 * DAY, { page_url: `https://help.example.com/${name}` });
    }
    const items = await ranking('by=page&min_votes=1&limit=4');
    expect(items.map((item: { key: string }) => item.key)).toEqual([
      'https://help.example.com/a',
      'https://help.example.com/b',
      'https://help.example.com/tie-p',
      'https://help.example.com/tie-q',
    ]);
  });

  test('a vote dated ahead counts within an hour of the clock, never later', async () => {
    const page = { page_url: 'https://help.example.com/future' };
    await votes(1, -HOUR / 2, { ...DOWN, message_id: 'm-soon', ...page });
    await votes(5, -2 * DAY, { ...DOWN, message_id: 'm-future', ...page });
    const keys = (await ranking('min_votes=1')).map((item: { key: string }) => item.key);
    expect(keys).toContain('m-soon');
    expect(keys).not.toContain('m-future');
  });

  test.each([
    ['by', 'by=user'],
    ['window', 'window=off'],
    ['window', 'window=forever'],
    ['window', 'window=0d'],
    ['window', 'window=week'],
    ['window', 'window=36501d'],
    ['window', 'window=99999999999d'],
    ['min_votes', 'min_votes=0'],
    ['min_votes', 'min_votes=many'],
    ['limit', 'limit=101'],
  ])('a bad %s (%s) answers 400 naming it', async (field, query) => {
    const response = await send(api(`feedback/attention?${query}`));
    expect([response.status, response.body.field]).toEqual([400, field]);
  });
});
