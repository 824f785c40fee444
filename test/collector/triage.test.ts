import { describe, expect, test } from 'vitest';
import { type Backend, minimalEvent, send, useCollector, useStorage } from '../helpers/collector';

const ADMIN_TOKEN = 'triage-admin-token-0123456789';

describe.each<Backend>(['pglite', 'postgres'])('triage on %s', (backend) => {
  const collector = useCollector(backend);
  const api = (path: string) => `${collector.url}api/${path}`;
  let ids = 0;
  /** Stores a vote with a fresh id (and `overrides`) and returns the id. */
  async function vote(overrides: Record<string, unknown> = {}): Promise<string> {
    const id = `${backend}-triage-${++ids}`;
    const response = await send(api('feedback'), { body: minimalEvent(id, overrides) });
    expect(response.status).toBe(201);
    return id;
  }
  const patch = (id: string, body: unknown, headers: Record<string, string> = {}) =>
    send(api(`feedback/${encodeURIComponent(id)}`), { method: 'PATCH', body, headers });
  const bulk = (body: unknown, headers: Record<string, string> = {}) =>
    send(api('feedback/bulk'), { body, headers });

  test('a stored vote is open, unassigned and has no activity', async () => {
    const id = await vote();
    const { body } = await send(api(`feedback/${id}`));
    expect(body).toMatchObject({ id, status: 'open', activity: [] });
    expect(body).not.toHaveProperty('assignee');
  });

  test('every record in the list carries its status, and its assignee when it has one', async () => {
    const conversation = `${backend}-list-state`;
    const first = await vote({ conversation_id: conversation });
    await vote({ conversation_id: conversation });
    await patch(first, { assignee: 'maria' });
    // Dated the same moment: in the order of their ids, the first first.
    const { body } = await send(api(`feedback?conversation_id=${conversation}`));
    expect(
      body.items.map((item: { status: string; assignee?: string }) => [item.status, item.assignee]),
    ).toEqual([
      ['open', 'maria'],
      ['open', undefined],
    ]);
  });

  test('PATCH changes the status and answers the record with the change in its activity', async () => {
    const id = await vote();
    const response = await patch(id, { status: 'resolved' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id, status: 'resolved' });
    expect(response.body.activity).toEqual([
      { at: expect.any(String), actor: 'local', action: 'status', from: 'open', to: 'resolved' },
    ]);
    expect((await send(api(`feedback/${id}`))).body).toEqual(response.body);
  });

  test('assigning, re-assigning and unassigning each leave one activity entry, oldest first', async () => {
    const id = await vote();
    await patch(id, { assignee: 'maria' });
    await patch(id, { assignee: 'José Ñúñez' });
    const { body } = await patch(id, { assignee: null });
    expect(body).not.toHaveProperty('assignee');
    expect(
      body.activity.map(({ action, from, to }: Record<string, string>) => [action, from, to]),
    ).toEqual([
      ['assignee', undefined, 'maria'],
      ['assignee', 'maria', 'José Ñúñez'],
      ['assignee', 'José Ñúñez', undefined],
    ]);
  });

  test('a note is kept as activity, after the changes made with it', async () => {
    const id = await vote();
    const { body } = await patch(id, {
      status: 'resolved',
      assignee: 'kim',
      note: 'Fixed the link.',
    });
    expect(body.activity.map((entry: { action: string }) => entry.action)).toEqual([
      'status',
      'assignee',
      'note',
    ]);
    expect(body.activity[2]).toEqual({
      at: expect.any(String),
      actor: 'local',
      action: 'note',
      note: 'Fixed the link.',
    });
  });

  test('setting the state a record already has changes nothing and adds no activity', async () => {
    const id = await vote();
    await patch(id, { status: 'resolved', assignee: 'kim' });
    const { body } = await patch(id, { status: 'resolved', assignee: 'kim' });
    expect(body.activity).toHaveLength(2);
  });

  test.each([
    ['status', { status: 'done' }],
    ['status', { status: 3 }],
    ['assignee', { assignee: '' }],
    ['assignee', { assignee: 'x'.repeat(65) }],
    ['assignee', { assignee: 42 }],
    ['assignee', { assignee: 'two\nlines' }],
    ['note', { note: '' }],
    ['note', { note: 'x'.repeat(2001) }],
    ['priority', { priority: 'high' }],
    ['body', {}],
    ['body', []],
    ['body', '{"status":'],
  ])('PATCH with a bad %s answers 400 naming it', async (field, body) => {
    const id = await vote();
    const response = await patch(id, body);
    expect([response.status, response.body.field]).toEqual([400, field]);
  });

  test('a name of 64 characters and a note of 2,000 are taken', async () => {
    const id = await vote();
    const response = await patch(id, { assignee: '名'.repeat(64), note: 'n'.repeat(2000) });
    expect(response.status).toBe(200);
  });

  test('PATCH of an id never stored answers 404', async () => {
    const response = await patch('never-stored', { status: 'resolved' });
    expect([response.status, response.body.field]).toEqual([404, 'id']);
  });

  test('PATCH takes JSON only: another Content-Type answers 415', async () => {
    const id = await vote();
    const response = await send(api(`feedback/${id}`), {
      method: 'PATCH',
      body: 'status=resolved',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect([response.status, response.body.field]).toEqual([415, 'Content-Type']);
  });

  test('the team’s changes from another origin answer 403, even one allowed to vote', async () => {
    const id = await vote();
    for (const origin of ['https://evil.example', 'http://localhost:5173']) {
      const response = await patch(id, { status: 'spam' }, { Origin: origin });
      expect([response.status, response.body.field]).toEqual([403, 'Origin']);
      const moved = await bulk({ ids: [id], status: 'spam' }, { Origin: origin });
      expect(moved.status).toBe(403);
    }
    expect((await send(api(`feedback/${id}`))).body.status).toBe('open');
  });

  test('the collector’s own origin may change records', async () => {
    const id = await vote();
    const own = new URL(collector.url).origin;
    expect((await patch(id, { status: 'resolved' }, { Origin: own })).status).toBe(200);
  });

  test('a change a proxy passed on is not taken for this machine without ADMIN_TOKEN', async () => {
    const id = await vote();
    const response = await patch(id, { status: 'spam' }, { 'X-Forwarded-For': '203.0.113.9' });
    expect([response.status, response.body.field]).toEqual([403, 'ADMIN_TOKEN']);
  });

  describe('bulk', () => {
    test('by ids: changes the records not yet in that state and counts only them', async () => {
      const [a, b, c] = [await vote(), await vote(), await vote()];
      await patch(a, { status: 'resolved' });
      const response = await bulk({ ids: [a, b, c, 'never-stored'], status: 'resolved' });
      expect(response).toMatchObject({ status: 200, body: { updated: 2 } });
      expect((await send(api(`feedback/${a}`))).body.activity).toHaveLength(1);
      expect((await send(api(`feedback/${b}`))).body.activity).toEqual([
        { at: expect.any(String), actor: 'local', action: 'status', from: 'open', to: 'resolved' },
      ]);
    });

    test('by q: changes every record the search selects', async () => {
      const conversation = `${backend}-bulk-q`;
      const down = {
        rating: 'down',
        sentiment: 'negative',
        value: 0,
        conversation_id: conversation,
      };
      const [d1, d2] = [await vote(down), await vote(down)];
      const up = await vote({ conversation_id: conversation });
      const response = await bulk({
        q: `conversation:${conversation} rating:down`,
        assignee: 'support',
      });
      expect(response.body).toEqual({ updated: 2 });
      const states = await Promise.all(
        [d1, d2, up].map(async (id) => (await send(api(`feedback/${id}`))).body.assignee),
      );
      expect(states).toEqual(['support', 'support', undefined]);
    });

    test('status and assignee together count a record once, with one entry per change', async () => {
      const id = await vote();
      await patch(id, { assignee: 'kim' });
      const response = await bulk({ ids: [id], status: 'resolved', assignee: 'kim' });
      expect(response.body).toEqual({ updated: 1 });
      const { body } = await send(api(`feedback/${id}`));
      expect(body.activity.map((entry: { action: string }) => entry.action)).toEqual([
        'assignee',
        'status',
      ]);
    });

    test('assigned:me is the one who acts', async () => {
      const conversation = `${backend}-bulk-me`;
      const mine = await vote({ conversation_id: conversation });
      await vote({ conversation_id: conversation });
      await patch(mine, { assignee: 'local' });
      const response = await bulk({
        q: `conversation:${conversation} assigned:me`,
        status: 'resolved',
      });
      expect(response.body).toEqual({ updated: 1 });
    });

    test.each([
      ['body', { ids: ['a'], q: 'x', status: 'spam' }],
      ['body', { status: 'spam' }],
      ['body', { ids: ['a'] }],
      ['ids', { ids: [], status: 'spam' }],
      ['ids', { ids: 'a', status: 'spam' }],
      ['ids', { ids: Array.from({ length: 1001 }, (_, i) => `id-${i}`), status: 'spam' }],
      ['ids', { ids: [''], status: 'spam' }],
      ['q', { q: '', status: 'spam' }],
      ['q', { q: '  ', status: 'spam' }],
      ['q', { q: 'colour:red', status: 'spam' }],
      ['status', { ids: ['a'], status: 'closed' }],
      ['note', { ids: ['a'], note: 'bulk notes are not taken' }],
    ])('a bad %s answers 400 naming it', async (field, body) => {
      const response = await bulk(body);
      expect([response.status, response.body.field]).toEqual([400, field]);
    });

    test('1,000 ids are taken', async () => {
      const ids = Array.from({ length: 1000 }, (_, i) => `${backend}-absent-${i}`);
      expect((await bulk({ ids, status: 'resolved' })).body).toEqual({ updated: 0 });
    });
  });

  describe('spam', () => {
    const stats = async (query = '') => (await send(api(`feedback/stats?${query}`))).body;

    test('a record marked spam leaves the figures, and counts again once it is not', async () => {
      const conversation = `${backend}-spam-stats`;
      const byConversation = `conversation_id=${conversation}`;
      await vote({ conversation_id: conversation });
      const spam = await vote({
        conversation_id: conversation,
        rating: 'down',
        sentiment: 'negative',
        value: 0,
        reason: 'Wrong',
        reason_key: 'incorrect',
        created_at: '2026-11-20T10:00:00.000Z',
      });
      const before = await stats();
      await patch(spam, { status: 'spam' });
      const after = await stats();
      expect(after.total).toBe(before.total - 1);
      expect(after.by_rating.down).toBe(before.by_rating.down - 1);
      expect(await stats(byConversation)).toMatchObject({
        total: 1,
        by_rating: { up: 1, down: 0 },
        top_reasons: [],
        daily: [{ day: '2026-11-21', total: 1 }],
      });
      await patch(spam, { status: 'open' });
      expect(await stats()).toEqual(before);
      expect((await stats(byConversation)).total).toBe(2);
    });

    test('a bulk change to spam and back keeps the figures right', async () => {
      const conversation = `${backend}-spam-bulk`;
      const down = {
        conversation_id: conversation,
        rating: 'down',
        sentiment: 'negative',
        value: 0,
      };
      const votes = [await vote(down), await vote(down), await vote(down)];
      const before = await stats();
      await bulk({ ids: votes, status: 'spam' });
      expect((await stats()).by_rating.down).toBe(before.by_rating.down - 3);
      await bulk({ ids: votes, status: 'resolved' });
      expect(await stats()).toEqual(before);
    });
  });

  test('counts give each status’s count for the search without its is: terms', async () => {
    const conversation = `${backend}-counts`;
    const [a, b] = [
      await vote({ conversation_id: conversation }),
      await vote({ conversation_id: conversation }),
    ];
    await vote({ conversation_id: conversation });
    await patch(a, { status: 'resolved' });
    await patch(b, { status: 'spam' });
    const q = encodeURIComponent(`conversation:${conversation} is:open`);
    expect((await send(api(`feedback/counts?q=${q}`))).body).toEqual({
      open: 1,
      resolved: 1,
      spam: 1,
    });
    expect((await send(api(`feedback?q=${q}`))).body.total).toBe(1);
  });

  test('totals of status and rating alone, kept as records change, equal the records counted', async () => {
    // `-conversation:none-such` selects the same records but makes the collector count them.
    const total = async (q: string) =>
      (await send(api(`feedback?limit=1&q=${encodeURIComponent(q)}`))).body.total;
    const searches = [
      'is:open',
      'is:resolved',
      'is:spam',
      '-is:spam',
      'is:open is:spam',
      'rating:down',
      'rating:down is:open',
      '-rating:up -is:resolved',
    ];
    for (const q of searches) {
      expect(await total(q), q).toBe(await total(`${q} -conversation:none-such`));
    }
    const kept = (await send(api('feedback/counts'))).body;
    expect(kept).toEqual((await send(api('feedback/counts?q=-conversation:none-such'))).body);
    expect(kept.spam).toBeGreaterThan(0);
    expect((await send(api('feedback?limit=1'))).body.total).toBe(
      kept.open + kept.resolved + kept.spam,
    );
  });
});

describe.each<Backend>(['pglite', 'postgres'])('who acts, on %s', (backend) => {
  const storage = useStorage(backend);
  test('the actor is the Basic user name, else admin with the Bearer token', async () => {
    const collector = await storage.start({ adminToken: ADMIN_TOKEN });
    try {
      const id = `${backend}-actor`;
      await send(`${collector.url}api/feedback`, { body: minimalEvent(id) });
      const basic = (user: string) =>
        `Basic ${Buffer.from(`${user}:${ADMIN_TOKEN}`).toString('base64')}`;
      const url = `${collector.url}api/feedback/${id}`;
      const as = (authorization: string, status: string) =>
        send(url, { method: 'PATCH', body: { status }, headers: { Authorization: authorization } });
      expect((await as(basic('maria'), 'resolved')).status).toBe(200);
      expect((await as(`Bearer ${ADMIN_TOKEN}`, 'open')).status).toBe(200);
      expect((await as('Bearer wrong-token-0000000000', 'spam')).status).toBe(401);
      const { body } = await send(url, { headers: { Authorization: basic('') } });
      expect(body.activity.map((entry: { actor: string }) => entry.actor)).toEqual([
        'maria',
        'admin',
      ]);
    } finally {
      await collector.close();
    }
  });
});
