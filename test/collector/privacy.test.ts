import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import type { CreateCollectorOptions } from '../../collector/src/collector';
import { createCollector } from '../../collector/src/collector';
import { MAINTAIN_EVERY_MS } from '../../collector/src/privacy/housekeeping';
import { type Backend, type Collector, openStorage, send, useStorage } from '../helpers/collector';
import { findInDatabase, migrateUntil, withDatabase } from '../helpers/database';
import { useFakeVendor } from '../helpers/fake-vendor';
import { eventBody, forwardFile, vendorDestinations } from '../helpers/forward';

const EMAIL = 'jane.doe@example.com';
const PHONE = '+49 30 1234567';
const CARD = '4111 1111 1111 1111';
const TYPED = `call me at ${PHONE} or mail ${EMAIL}, card ${CARD}`;
const REDACTED = 'call me at [phone] or mail [email], card [card]';
/** What must be found nowhere once redacted: each datum, and each one's digits. */
const PERSONAL = [EMAIL, PHONE, '1234567', CARD, '4111111111111111'];

/** The `msg` and fields of every JSON line a collector logged. */
function logged(collector: Collector): { msg: string; [field: string]: unknown }[] {
  return collector.logs().map((line) => JSON.parse(line));
}

/** Waits for the log line whose `msg` starts with `prefix`, the `count`-th such line. */
async function waitForLine(collector: Collector, prefix: string, count = 1) {
  return vi.waitFor(
    () => {
      const lines = logged(collector).filter((line) => line.msg.startsWith(prefix));
      expect(lines.length).toBeGreaterThanOrEqual(count);
      return lines[count - 1] as { msg: string; [field: string]: unknown };
    },
    { timeout: 30_000, interval: 50 },
  );
}

/** A vote on the vote route from `address`, as a proxy in front of the collector reports it. */
const voteFrom = (url: string, conversation: string, address: string, body: unknown = {}) =>
  send(`${url}api/conversations/${conversation}/upvote`, {
    body,
    headers: { 'X-Forwarded-For': address },
  });

const total = async (url: string, conversation: string) =>
  (await send(`${url}api/feedback?conversation_id=${encodeURIComponent(conversation)}`)).body
    .total as number;

describe.each<Backend>(['pglite', 'postgres'])('privacy on %s', { timeout: 120_000 }, (backend) => {
  const storage = useStorage(backend);
  const vendor = useFakeVendor({ env: true, fresh: true });
  let collector: Collector | undefined;
  let suffixes = 0;

  afterEach(async () => {
    await collector?.close();
    collector = undefined;
  });

  /** A collector on `place` (its storage), forwarding to every vendor the README documents. */
  async function start(place: CreateCollectorOptions, overrides: CreateCollectorOptions = {}) {
    await collector?.close();
    const suffix = `-${++suffixes}`;
    collector = await storage.start({
      ...place,
      forwardFile: forwardFile({ destinations: vendorDestinations(vendor.origin, suffix) }),
      ...overrides,
    });
    return collector;
  }

  async function stop() {
    await collector?.close();
    collector = undefined;
  }

  describe('redaction', () => {
    test('every intake format stores, answers and forwards its free text redacted', async () => {
      const place = await storage.options();
      const { url } = await start(place);
      const event = eventBody('redact-event', {
        rating: 'down',
        sentiment: 'negative',
        value: -100,
        message_id: 'm-redact',
        session_id: 's-redact',
        trace_id: 't-redact',
        reason: `Wrong number ${PHONE}`,
        reason_key: 'incorrect',
        comment: TYPED,
        message_content: `Write to ${EMAIL}; we charge card ${CARD}.`,
      });
      expect((await send(`${url}api/feedback`, { body: event })).status).toBe(201);
      const sentiment = await send(`${url}api/sentiment`, {
        body: {
          conversation_id: 'c-redact',
          sentiment: 'negative',
          comment: TYPED,
          metadata: { reason: `mail ${EMAIL}`, message_id: 'm-redact-2' },
        },
      });
      const vote = await send(`${url}api/conversations/c-redact-vote/downvote`, {
        body: { reason: `Wrong: ${TYPED}` },
      });
      const scoreBody = { session_id: 's-redact-2', score: 0, text: TYPED };
      const score = await send(`${url}api/assistants/asst_1/feedbacks`, {
        body: scoreBody,
        headers: { 'Idempotency-Key': 'redact-score-key' },
      });
      const quality = await send(`${url}api/messages/feedback`, {
        body: {
          original_message_id: 'm-redact-3',
          sent_message_content: `Your agent is ${EMAIL}, reach them on ${PHONE}.`,
          customer_responded: true,
          quality_score: 20,
        },
      });
      expect([sentiment.status, vote.status, score.status, quality.status]).toEqual([
        201, 200, 201, 201,
      ]);
      // The score format answers with its text: as stored, and so on every repeat of its key.
      expect(score.body.text).toBe(REDACTED);
      const repeat = await send(`${url}api/assistants/asst_1/feedbacks`, {
        body: scoreBody,
        headers: { 'Idempotency-Key': 'redact-score-key' },
      });
      expect(repeat.body).toEqual(score.body);

      const stored = async (id: string) => (await send(`${url}api/feedback/${id}`)).body;
      expect(await stored('redact-event')).toMatchObject({
        reason: 'Wrong number [phone]',
        reason_key: 'incorrect',
        comment: REDACTED,
        message_content: 'Write to [email]; we charge card [card].',
      });
      expect(await stored(sentiment.body.id)).toMatchObject({
        reason: 'mail [email]',
        comment: REDACTED,
      });
      expect(await stored(score.body.id)).toMatchObject({ comment: REDACTED });
      expect((await stored(quality.body.feedback_id)).metadata).toEqual({
        sent_message_content: 'Your agent is [email], reach them on [phone].',
        customer_responded: true,
      });
      const [voted] = (await send(`${url}api/feedback?conversation_id=c-redact-vote`)).body.items;
      expect(voted.reason).toBe(`Wrong: ${REDACTED}`);

      // Each record goes to every destination its fields allow: the event to all 6, the
      // sentiment to 5 (no trace for Langfuse), the vote to 4 (no message id for quality), the
      // score to 3 and the quality vote to 4 (neither has a conversation for the vote URL).
      const requests = await vendor.waitFor(22);
      const bodies = requests.map((request) => JSON.stringify(request.body));
      for (const datum of PERSONAL) {
        expect(bodies.filter((body) => body.includes(datum))).toEqual([]);
      }
      const byPath = (path: string) =>
        requests.filter((request) => request.path === path).map((request) => request.body);
      expect(byPath('/api/public/scores')).toEqual([
        expect.objectContaining({ comment: `Wrong number [phone]: ${REDACTED}` }),
      ]);
      expect(byPath('/api/feedback')).toContainEqual(
        expect.objectContaining({
          reason: 'Wrong number [phone]',
          comment: REDACTED,
          message_content: 'Write to [email]; we charge card [card].',
        }),
      );
      expect(byPath('/v1/messages/feedback')).toContainEqual(
        expect.objectContaining({
          sent_message_content: 'Your agent is [email], reach them on [phone].',
        }),
      );
      expect(byPath('/v1/feedback')).toContainEqual(
        expect.objectContaining({
          comment: REDACTED,
          metadata: { reason: 'mail [email]', message_id: 'm-redact-2' },
        }),
      );
      expect(byPath('/v1/Assistants/asst_1/Feedbacks')).toContainEqual({
        session_id: 's-redact-2',
        score: 0,
        text: REDACTED,
      });
      expect(byPath('/v1/conversation/c-redact-vote/downvote')).toEqual([
        { value: -100, reason: `Wrong: ${REDACTED}` },
      ]);

      await stop();
      expect(await withDatabase(place, (db) => findInDatabase(db, PERSONAL))).toEqual([]);
    });

    test('REDACT names what is redacted, and off keeps text as typed', async () => {
      const place = await storage.options();
      const { url } = await start(place, { redact: 'email' });
      await send(`${url}api/feedback`, { body: eventBody('redact-some', { comment: TYPED }) });
      expect((await send(`${url}api/feedback/redact-some`)).body.comment).toBe(
        `call me at ${PHONE} or mail [email], card ${CARD}`,
      );
      const off = await start(place, { redact: 'off' });
      await send(`${off.url}api/feedback`, { body: eventBody('redact-off', { comment: TYPED }) });
      expect((await send(`${off.url}api/feedback/redact-off`)).body.comment).toBe(TYPED);
    });

    test('records stored before redaction applied to them are redacted at start-up, with what was forwarded and answered of them', async () => {
      const place = await storage.options();
      const comment = `${TYPED}\n"thanks" <3`;
      const forward = forwardFile({
        destinations: vendorDestinations(vendor.origin, `-${++suffixes}`),
        alerts: [
          // The fake vendor has no such hook: the alert fails at once and keeps its body.
          { name: 'comments', when: 'comment', format: 'slack', url: `${vendor.origin}/hook` },
        ],
      });
      const typed = await start(place, { redact: 'off', forwardFile: forward });
      const event = eventBody('backfill-event', {
        rating: 'down',
        sentiment: 'negative',
        value: -100,
        message_id: 'm-backfill',
        session_id: 's-backfill',
        trace_id: 't-backfill',
        comment,
      });
      expect((await send(`${typed.url}api/feedback`, { body: event })).status).toBe(201);
      const scoreBody = { session_id: 's-backfill-2', score: 0, text: TYPED };
      const score = await send(`${typed.url}api/assistants/asst_1/feedbacks`, {
        body: scoreBody,
        headers: { 'Idempotency-Key': 'backfill-score-key' },
      });
      expect(score.body.text).toBe(TYPED);
      // The vote route counts its reason and comment, joined, in the daily figures.
      const vote = await send(`${typed.url}api/conversations/c-backfill/downvote`, {
        body: { reason: `Backfill: ${TYPED}` },
      });
      expect(vote.status).toBe(200);
      // The event to its 6 destinations and its alert, the score to 3 and its alert, the vote
      // to 4.
      await vendor.waitFor(15);
      const before = (await send(`${typed.url}api/feedback/stats`)).body;
      await stop();
      await withDatabase(place, async (db) => {
        // As a collector released before migration 010 left it.
        await db.query("UPDATE feedback SET redacted = NULL WHERE id = 'backfill-event'");
        // A row written by hand, whose record is JSON but not a record: nothing to redact.
        await db.query(
          `INSERT INTO feedback (id, format, rating, score, conversation_id, created_at,
             received_at, record)
           VALUES ('backfill-by-hand', 'event', 'up', 10, 'c-backfill-by-hand', now(), now(),
             'null')`,
        );
        const found = await findInDatabase(db, PERSONAL);
        for (const column of ['feedback.record', 'deliveries.body', 'idempotency_keys.body']) {
          expect(found).toContain(column);
        }
      });

      const redacted = await start(place, { forwardFile: forward });
      const line = await waitForLine(redacted, 'REDACT email,phone,card');
      expect(line.redacted).toBeGreaterThanOrEqual(3);
      expect(line.msg).toMatch(/^REDACT email,phone,card: went through \d+ records stored before/);
      expect((await send(`${redacted.url}api/feedback/backfill-event`)).body).toMatchObject({
        comment: `${REDACTED}\n"thanks" <3`,
      });
      const search = await send(`${redacted.url}api/feedback?q=${encodeURIComponent('"1234567"')}`);
      expect(search.body.total).toBe(0);
      const repeat = await send(`${redacted.url}api/assistants/asst_1/feedbacks`, {
        body: scoreBody,
        headers: { 'Idempotency-Key': 'backfill-score-key' },
      });
      expect(repeat.body).toEqual({ ...score.body, text: REDACTED });
      // The daily figures count the same votes, under the reason as redacted.
      const after = (await send(`${redacted.url}api/feedback/stats`)).body;
      expect(JSON.stringify(after)).toBe(
        JSON.stringify(before).replaceAll(JSON.stringify(TYPED).slice(1, -1), REDACTED),
      );
      expect(JSON.stringify(after)).toContain(`Backfill: ${REDACTED}`);
      await stop();
      await withDatabase(place, async (db) => {
        expect(await findInDatabase(db, PERSONAL)).toEqual([]);
        const [alert] = await db.query<{ body: string }>(
          "SELECT body FROM deliveries WHERE feedback_id = 'backfill-event' AND alert = 'comment'",
        );
        expect(JSON.parse(alert?.body ?? '{}').text).toContain(
          '> call me at [phone] or mail [email], card [card]\n> "thanks" &lt;3',
        );
      });

      // Once done, a restart finds nothing left to redact (retention runs after redaction).
      const again = await start(place, { forwardFile: forward, retention: '3650d' });
      await waitForLine(again, 'RETENTION 3650d');
      await stop();
      expect(logged(again).filter((entry) => entry.msg.startsWith('REDACT'))).toEqual([]);
    });
  });

  describe('client addresses', () => {
    test('no client address is stored, windows hold, and voters are forgotten once their window has passed', async () => {
      const place = await storage.options();
      const { url } = await start(place, { trustProxy: 1 });
      const addresses = ['203.0.113.7', '2001:db8::7', '198.51.100.23'];
      for (const address of addresses) {
        expect((await voteFrom(url, 'c-anon', address)).status).toBe(200);
      }
      // A repeat within the window answers as the first time and records nothing.
      expect((await voteFrom(url, 'c-anon', '203.0.113.7')).status).toBe(200);
      expect(await total(url, 'c-anon')).toBe(3);
      await stop();
      const voters = await withDatabase(place, async (db) => {
        expect(await findInDatabase(db, addresses)).toEqual([]);
        // Two votes left their window a day ago; one is within it.
        await db.query(
          `UPDATE feedback SET received_at = received_at - interval '25 hours'
           WHERE id IN (SELECT id FROM feedback WHERE conversation_id = 'c-anon'
             ORDER BY received_at LIMIT 2)`,
        );
        return db.query<{ voter: string }>(
          "SELECT voter FROM feedback WHERE conversation_id = 'c-anon'",
        );
      });
      for (const { voter } of voters) expect(voter).toMatch(/^client:[0-9a-f]{64}$/);

      const again = await start(place, { trustProxy: 1 });
      expect((await waitForLine(again, 'Forgot the voters')).forgotten).toBe(2);
      // The vote still within its window keeps counting as that voter's.
      expect((await voteFrom(again.url, 'c-anon', '198.51.100.23')).status).toBe(200);
      expect(await total(again.url, 'c-anon')).toBe(3);
      await stop();
      const kept = await withDatabase(place, (db) =>
        db.query<{ voter: string | null }>(
          "SELECT voter FROM feedback WHERE conversation_id = 'c-anon' ORDER BY received_at",
        ),
      );
      expect(kept.map(({ voter }) => voter === null)).toEqual([true, true, false]);
    });

    test('the migration rewrites the addresses stored before it, so running windows still hold', async () => {
      // A database of its own, still without migration 007.
      const fresh = await openStorage(backend);
      const place = await fresh.options({ empty: true });
      const recent = new Date(Date.now() - 3_600_000).toISOString();
      const record = JSON.stringify({ ...eventBody('old-vote'), received_at: recent });
      await withDatabase(place, async (db) => {
        await migrateUntil(db, '007');
        await db.query(
          `INSERT INTO feedback
             (id, format, rating, score, conversation_id, voter, created_at, received_at, record)
           VALUES ('old-vote', 'vote', 'up', 10, 'c-old', $1, $2, $2, $3)`,
          ['client:203.0.113.9', recent, record],
        );
      });
      const { url } = await start(place, { trustProxy: 1 });
      expect((await voteFrom(url, 'c-old', '203.0.113.9')).status).toBe(200);
      expect(await total(url, 'c-old')).toBe(1);
      expect((await voteFrom(url, 'c-old', '203.0.113.10')).status).toBe(200);
      expect(await total(url, 'c-old')).toBe(2);
      await stop();
      try {
        expect(await withDatabase(place, (db) => findInDatabase(db, ['203.0.113.9']))).toEqual([]);
      } finally {
        await fresh.stop();
      }
    });

    test('with the window off no voter is kept', async () => {
      const place = await storage.options();
      const { url } = await start(place, { voteWindow: 'off', trustProxy: 1 });
      await voteFrom(url, 'c-nowindow', '203.0.113.8');
      await voteFrom(url, 'c-nowindow', '203.0.113.8', { user_id: 'u-nowindow' });
      await stop();
      const rows = await withDatabase(place, (db) =>
        db.query("SELECT voter FROM feedback WHERE conversation_id = 'c-nowindow'"),
      );
      expect(rows).toEqual([{ voter: null }, { voter: null }]);
    });
  });

  describe('retention', () => {
    /** Stores `ids` (forwarded to the event vendor), then makes the `aged` ones `days` old. */
    async function storeAndAge(
      place: CreateCollectorOptions,
      ids: string[],
      aged: string[],
      days: number,
    ) {
      const { url } = await start(place);
      for (const id of ids) {
        await send(`${url}api/feedback`, {
          body: eventBody(id, { comment: 'fine' }),
          headers: { 'Idempotency-Key': `key-${id}` },
        });
      }
      await vendor.waitFor(ids.length * 4);
      for (const id of ids) {
        await send(`${url}api/feedback/${id}`, { method: 'PATCH', body: { note: 'Seen.' } });
      }
      const stats = (await send(`${url}api/feedback/stats`)).body;
      await stop();
      await withDatabase(place, (db) =>
        db.query(
          `UPDATE feedback SET received_at = received_at - make_interval(days => $2)
           WHERE id = ANY($1)`,
          [aged, days],
        ),
      );
      return stats;
    }

    test('at start-up, records received longer ago go with their deliveries and activity; the daily figures stay', async () => {
      const place = await storage.options();
      const stats = await storeAndAge(
        place,
        ['keep-1', 'purge-1', 'purge-2'],
        ['purge-1', 'purge-2'],
        31,
      );
      const purging = await start(place, { retention: '30d' });
      const { url } = purging;
      const line = await waitForLine(purging, 'RETENTION 30d');
      expect(line).toMatchObject({ deleted: 2, retention_days: 30, level: 'info' });
      expect((await send(`${url}api/feedback/purge-1`)).status).toBe(404);
      expect((await send(`${url}api/feedback/purge-2`)).status).toBe(404);
      expect((await send(`${url}api/feedback/keep-1`)).status).toBe(200);
      expect((await send(`${url}api/deliveries?feedback_id=purge-1`)).body.total).toBe(0);
      expect((await send(`${url}api/deliveries?feedback_id=keep-1`)).body.total).toBe(4);
      expect((await send(`${url}api/feedback/stats`)).body).toEqual(stats);
      await stop();
      const keys = await withDatabase(place, (db) =>
        db.query<{ key: string }>(
          "SELECT key FROM idempotency_keys WHERE key LIKE 'key-%' ORDER BY key",
        ),
      );
      expect(keys).toEqual([{ key: 'key-keep-1' }]);
    });

    test("a purge takes the vote route's typed reasons out of the daily figures and keeps the chosen ones", async () => {
      const place = await storage.options();
      const { url } = await start(place);
      // The vote route's reason is the person's reason and comment, joined (SPEC §5).
      const typed = 'Wrong: the refund page still says 30 days';
      const vote = await send(`${url}api/conversations/c-typed/downvote`, {
        body: { reason: typed },
      });
      expect(vote.status).toBe(200);
      const chosen = await send(`${url}api/feedback`, {
        body: eventBody('chosen-reason', { reason: 'Incorrect', reason_key: 'incorrect' }),
      });
      expect(chosen.status).toBe(201);
      const stats = (await send(`${url}api/feedback/stats`)).body;
      expect(stats.top_reasons).toContainEqual({ reason: typed, count: 1 });
      expect(stats.top_reasons).toContainEqual({ reason: 'Incorrect', count: expect.any(Number) });
      await stop();
      await withDatabase(place, (db) =>
        db.query(
          `UPDATE feedback SET received_at = received_at - interval '31 days'
           WHERE conversation_id = 'c-typed' OR id = 'chosen-reason'`,
        ),
      );

      const purging = await start(place, { retention: '30d' });
      expect(await waitForLine(purging, 'RETENTION 30d')).toMatchObject({ deleted: 2 });
      // The same totals, days and scores; the typed reason is no longer kept, nor counted.
      expect((await send(`${purging.url}api/feedback/stats`)).body).toEqual({
        ...stats,
        top_reasons: stats.top_reasons.filter(
          (entry: { reason: string }) => entry.reason !== typed,
        ),
      });
      await stop();
      const kept = await withDatabase(place, (db) =>
        db.query<{ reason: string }>(
          'SELECT DISTINCT reason FROM feedback_daily WHERE reason = ANY($1)',
          [[typed, 'Incorrect']],
        ),
      );
      expect(kept).toEqual([{ reason: 'Incorrect' }]);
    });

    test('a purge of several batches goes through all of them, and the collector keeps taking votes', async () => {
      const place = await storage.options();
      await storeAndAge(place, ['seed-many'], ['seed-many'], 31);
      await withDatabase(place, (db) =>
        db.query(
          `INSERT INTO feedback
           SELECT (jsonb_populate_record(f, jsonb_build_object('id', 'many-' || n))).*
           FROM feedback AS f, generate_series(1, 2500) AS n WHERE f.id = 'seed-many'`,
        ),
      );
      const purging = await start(place, { retention: '30d' });
      const fresh = await send(`${purging.url}api/feedback`, { body: eventBody('fresh-many') });
      expect(fresh.status).toBe(201);
      expect(await waitForLine(purging, 'RETENTION 30d')).toMatchObject({ deleted: 2501 });
      expect((await send(`${purging.url}api/feedback/many-2500`)).status).toBe(404);
      expect((await send(`${purging.url}api/feedback/fresh-many`)).status).toBe(200);
    });

    test('a down_rate alert, which belongs to no record, goes by its own age', async () => {
      const place = await storage.options();
      const alerts = forwardFile({
        alerts: [
          {
            name: 'bad-answers',
            when: 'down_rate',
            by: 'message',
            window: '1h',
            min_votes: 1,
            threshold: 0.5,
            format: 'json',
            url: `${vendor.origin}/alerts`,
          },
        ],
      });
      const { url } = await start(place, { forwardFile: alerts });
      for (const message of ['m-old', 'm-new']) {
        const down = { rating: 'down', sentiment: 'negative', value: -100, message_id: message };
        await send(`${url}api/feedback`, { body: eventBody(`alerted-${message}`, down) });
      }
      const sent = (await send(`${url}api/deliveries?destination=bad-answers`)).body;
      expect(sent.total).toBe(2);
      await stop();
      await withDatabase(place, async (db) => {
        await db.query(
          `UPDATE deliveries SET created_at = created_at - interval '31 days'
           WHERE feedback_id IS NULL AND body LIKE '%m-old%'`,
        );
        await db.query(
          `UPDATE alert_subjects SET alerted_at = alerted_at - interval '31 days'
           WHERE subject = 'm-old'`,
        );
      });
      const purging = await start(place, { forwardFile: alerts, retention: '30d' });
      expect(await waitForLine(purging, 'RETENTION 30d')).toMatchObject({
        deleted: 0,
        alerts: 1,
        subjects: 1,
      });
      const kept = (await send(`${purging.url}api/deliveries?destination=bad-answers`)).body;
      // Newest first: the alert about m-new stays.
      expect(kept.items.map((item: { id: string }) => item.id)).toEqual([sent.items[0].id]);
      await stop();
      const subjects = await withDatabase(place, (db) =>
        db.query<{ subject: string }>('SELECT subject FROM alert_subjects'),
      );
      expect(subjects).toEqual([{ subject: 'm-new' }]);
    });

    test('off, or a record within the period, keeps everything', async () => {
      const place = await storage.options();
      await storeAndAge(place, ['young-1', 'old-1'], ['old-1'], 20);
      const within = await start(place, { retention: '30d' });
      expect((await waitForLine(within, 'RETENTION 30d')).deleted).toBe(0);
      const off = await start(place);
      for (const id of ['young-1', 'old-1']) {
        expect((await send(`${off.url}api/feedback/${id}`)).status).toBe(200);
      }
      expect(logged(off).filter((line) => line.msg.startsWith('RETENTION'))).toEqual([]);
    });
  });

  describe('erasure', () => {
    const erase = (url: string, query: string, headers: Record<string, string> = {}) =>
      send(`${url}api/feedback?${query}`, { method: 'DELETE', headers });

    test('deletes every record of one user, session or conversation with its deliveries and activity', async () => {
      const place = await storage.options();
      const { url } = await start(place);
      const bodies = [
        eventBody('erase-user-1', { user_id: 'u-erase', conversation_id: 'c-a' }),
        eventBody('erase-user-2', { user_id: 'u-erase', conversation_id: 'c-b' }),
        eventBody('erase-session', { session_id: 's-erase', conversation_id: 'c-c' }),
        eventBody('erase-conversation-1', { conversation_id: 'c-erase' }),
        eventBody('erase-conversation-2', { conversation_id: 'c-erase', user_id: 'u-other' }),
        eventBody('erase-none', { user_id: 'u-other', session_id: 's-other' }),
      ];
      for (const body of bodies) await send(`${url}api/feedback`, { body });
      // The vote route counts its reason and comment, joined, in the daily figures.
      const reason = 'Wrong: ask u-erase at the front desk';
      const vote = await send(`${url}api/conversations/c-erase/upvote`, {
        body: { user_id: 'u-erase', reason },
      });
      expect(vote.status).toBe(200);
      // Each goes to the 4 destinations a vote with a conversation and no message or trace reaches.
      await vendor.waitFor((bodies.length + 1) * 4);
      const noted = await send(`${url}api/feedback/erase-user-1`, {
        method: 'PATCH',
        body: { status: 'resolved', note: 'Called them back.' },
      });
      expect(noted.status).toBe(200);
      const stats = (await send(`${url}api/feedback/stats`)).body;

      expect(await erase(url, 'user_id=u-erase')).toMatchObject({
        status: 200,
        body: { deleted: 3 },
      });
      expect(await erase(url, 'session_id=s-erase')).toMatchObject({
        status: 200,
        body: { deleted: 1 },
      });
      expect(await erase(url, 'conversation_id=c-erase')).toMatchObject({
        status: 200,
        body: { deleted: 2 },
      });
      expect(await erase(url, 'user_id=u-erase')).toMatchObject({
        status: 200,
        body: { deleted: 0 },
      });

      for (const { id } of bodies) {
        const kept = id === 'erase-none';
        expect((await send(`${url}api/feedback/${id}`)).status).toBe(kept ? 200 : 404);
        const deliveries = await send(`${url}api/deliveries?feedback_id=${id}`);
        expect(deliveries.body.total).toBe(kept ? 4 : 0);
      }
      expect(await total(url, 'c-erase')).toBe(0);
      // The same totals; the erased vote's reason is no longer among the reasons counted.
      expect(stats.top_reasons).toContainEqual({ reason, count: 1 });
      expect((await send(`${url}api/feedback/stats`)).body).toEqual({
        ...stats,
        top_reasons: stats.top_reasons.filter(
          (entry: { reason: string }) => entry.reason !== reason,
        ),
      });
      const erased = logged(collector as Collector).filter((line) => line.msg.startsWith('Erased'));
      expect(erased.map((line) => [line.by, line.deleted])).toEqual([
        ['user_id', 3],
        ['session_id', 1],
        ['conversation_id', 2],
        ['user_id', 0],
      ]);
      expect(JSON.stringify(erased)).not.toMatch(/u-erase|s-erase|c-erase/);
      await stop();
      await withDatabase(place, async (db) => {
        const activity = await db.query(
          "SELECT feedback_id FROM feedback_activity WHERE feedback_id LIKE 'erase-%'",
        );
        expect(activity).toEqual([]);
        expect(await findInDatabase(db, ['front desk'])).toEqual([]);
      });
    });

    test('leaves a reason that other votes were counted under, with their count', async () => {
      const { url } = await start(await storage.options());
      const reason = `Shared reason ${++suffixes}`;
      for (const [conversation, user] of [
        ['c-share-1', 'u-share-erased'],
        ['c-share-2', 'u-share-kept'],
        ['c-share-3', 'u-share-kept'],
      ]) {
        const vote = await send(`${url}api/conversations/${conversation}/downvote`, {
          body: { user_id: user, reason },
        });
        expect(vote.status).toBe(200);
      }
      const counted = async () =>
        (await send(`${url}api/feedback/stats`)).body.top_reasons.find(
          (entry: { reason: string }) => entry.reason === reason,
        );
      expect(await counted()).toEqual({ reason, count: 3 });
      expect((await erase(url, 'user_id=u-share-erased')).body).toEqual({ deleted: 1 });
      expect(await counted()).toEqual({ reason, count: 2 });
    });

    describe('a query naming no one or more than one key, or a body that is not JSON', () => {
      let guarded: Collector;
      beforeAll(async () => {
        guarded = await storage.start(await storage.options());
        await send(`${guarded.url}api/feedback`, {
          body: eventBody('erase-kept', { user_id: 'u-1' }),
        });
      });
      afterAll(() => guarded.close());

      test.each([
        ['', 'user_id', /exactly one of `user_id`, `session_id` or `conversation_id`/],
        ['user_id=u-1&session_id=s-1', 'session_id', /one key at a time/],
        ['user_id=u-1&user_id=u-2', 'user_id', /given once/],
        ['user_id=', 'user_id', /must not be empty/],
        ['user_id=u-1&rating=down', 'rating', /not a parameter of erasure/],
      ])('?%s answers 400 naming %s and erases nothing', async (query, field, message) => {
        const answer = await erase(guarded.url, query);
        expect(answer.status).toBe(400);
        expect(answer.body).toEqual({ error: expect.stringMatching(message), field });
        expect((await send(`${guarded.url}api/feedback/erase-kept`)).status).toBe(200);
      });

      test.each([
        ['text/plain', 'user_id=u-1'],
        ['application/x-www-form-urlencoded', 'user_id=u-1'],
      ])(
        'a body sent as %s answers 415 naming Content-Type and erases nothing',
        async (type, body) => {
          const answer = await send(`${guarded.url}api/feedback?user_id=u-1`, {
            method: 'DELETE',
            body,
            headers: { 'Content-Type': type },
          });
          expect([answer.status, answer.body.field]).toEqual([415, 'Content-Type']);
          expect((await send(`${guarded.url}api/feedback/erase-kept`)).status).toBe(200);
        },
      );
    });

    test('is the team’s: ADMIN_TOKEN when one is set, and only from the collector’s own origin', async () => {
      const admin = 'erase-admin-token-0123456789';
      const { url } = await start(await storage.options(), { adminToken: admin });
      await send(`${url}api/feedback`, {
        body: eventBody('erase-guarded', { user_id: 'u-guarded' }),
      });
      const refused = await erase(url, 'user_id=u-guarded');
      expect([refused.status, refused.body.field]).toEqual([401, 'ADMIN_TOKEN']);
      expect(refused.headers.get('www-authenticate')).toBe('Basic realm="feedback"');
      const bearer = { Authorization: `Bearer ${admin}` };
      const foreign = await erase(url, 'user_id=u-guarded', {
        ...bearer,
        Origin: 'http://localhost:9999',
      });
      expect([foreign.status, foreign.body.field]).toEqual([403, 'Origin']);
      expect((await send(`${url}api/feedback/erase-guarded`, { headers: bearer })).status).toBe(
        200,
      );
      expect(await erase(url, 'user_id=u-guarded', bearer)).toMatchObject({
        status: 200,
        body: { deleted: 1 },
      });
    });

    test('without ADMIN_TOKEN, only this machine may erase', async () => {
      const { url } = await start(await storage.options());
      const proxied = await erase(url, 'user_id=u-1', { 'X-Forwarded-For': '203.0.113.5' });
      expect([proxied.status, proxied.body.field]).toEqual([403, 'ADMIN_TOKEN']);
    });
  });
});

describe('keeping house on one PostgreSQL', { timeout: 120_000 }, () => {
  const storage = useStorage('postgres');

  afterEach(() => {
    vi.useRealTimers();
  });

  test('a collector alone keeps house without saying another one does', async () => {
    const collector = await storage.start({
      ...(await storage.options()),
      retention: '30d',
      logLevel: 'debug',
    });
    await waitForLine(collector, 'RETENTION 30d');
    // Closing waits for the round, and for whatever it logs after it.
    await collector.close();
    expect(logged(collector).filter((line) => line.msg.startsWith('Another collector'))).toEqual(
      [],
    );
  });

  test('an erasure waits for a record another transaction holds, and erases it too', async () => {
    const place = await storage.options();
    const collector = await storage.start(place);
    try {
      for (const id of ['held-1', 'held-2', 'held-3']) {
        await send(`${collector.url}api/feedback`, {
          body: eventBody(id, { user_id: 'u-held' }),
        });
      }
      const pg = (await import('pg')).default;
      const holder = new pg.Client({ connectionString: place.databaseUrl });
      await holder.connect();
      await holder.query('BEGIN');
      await holder.query("SELECT id FROM feedback WHERE id = 'held-2' FOR UPDATE");
      const erasing = send(`${collector.url}api/feedback?user_id=u-held`, { method: 'DELETE' });
      // The erasure is waiting on the held record's lock: release it once it has.
      await vi.waitFor(
        async () => {
          const { rows } = await holder.query(
            'SELECT count(*)::int AS waiting FROM pg_locks WHERE NOT granted',
          );
          expect(rows[0].waiting).toBeGreaterThan(0);
        },
        { timeout: 10_000, interval: 50 },
      );
      await holder.query('COMMIT');
      await holder.end();
      expect((await erasing).body).toEqual({ deleted: 3 });
      const left = await send(
        `${collector.url}api/feedback?q=${encodeURIComponent('user:u-held')}`,
      );
      expect(left.body.total).toBe(0);
    } finally {
      await collector.close();
    }
  });

  test('one collector purges at a time, and every hour', async () => {
    const place = await storage.options();
    const first = await storage.start(place);
    for (const id of ['hour-1', 'hour-2', 'hour-3']) {
      await send(`${first.url}api/feedback`, { body: eventBody(id) });
    }
    await first.close();
    const { HOUSEKEEPING_LOCK } = await import('../../collector/src/privacy/housekeeping');
    const pg = (await import('pg')).default;
    const holder = new pg.Client({ connectionString: place.databaseUrl });
    await holder.connect();
    await holder.query(
      "UPDATE feedback SET received_at = received_at - interval '8 days' WHERE id = 'hour-1'",
    );
    await holder.query('SELECT pg_advisory_lock($1)', [HOUSEKEEPING_LOCK]);
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const collector = await storage.start({ ...place, retention: '7d', logLevel: 'debug' });
    try {
      await waitForLine(collector, 'Another collector is keeping house');
      expect((await send(`${collector.url}api/feedback/hour-1`)).status).toBe(200);
      await holder.query('SELECT pg_advisory_unlock($1)', [HOUSEKEEPING_LOCK]);
      await holder.query(
        "UPDATE feedback SET received_at = received_at - interval '8 days' WHERE id = 'hour-2'",
      );
      vi.advanceTimersByTime(3_600_000);
      expect((await waitForLine(collector, 'RETENTION 7d')).deleted).toBe(2);
      expect((await send(`${collector.url}api/feedback?limit=100`)).body.total).toBe(1);
    } finally {
      await collector.close();
      await holder.end();
    }
  });
});

describe('forgetting voters under a short VOTE_WINDOW', { timeout: 120_000 }, () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test('a window of 20 minutes forgets its voters within 5 minutes of it, not an hour', async () => {
    const storage = await openStorage('postgres');
    const place = await storage.options();
    const { HOUSEKEEPING_LOCK } = await import('../../collector/src/privacy/housekeeping');
    const pg = (await import('pg')).default;
    // The round at start-up finds the lock held and skips, so only the quarter-window timer can
    // forget the voter.
    const holder = new pg.Client({ connectionString: place.databaseUrl });
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let collector: Awaited<ReturnType<typeof storage.start>> | undefined;
    try {
      await holder.connect();
      await holder.query('SELECT pg_advisory_lock($1)', [HOUSEKEEPING_LOCK]);
      collector = await storage.start({
        ...place,
        voteWindow: '20m',
        trustProxy: 1,
        logLevel: 'debug',
      });
      await waitForLine(collector, 'Another collector is keeping house');
      const upvote = await send(`${collector.url}api/conversations/c-short/upvote`, {
        body: {},
        headers: { 'X-Forwarded-For': '203.0.113.44' },
      });
      expect(upvote.status).toBe(200);
      await holder.query(
        "UPDATE feedback SET received_at = received_at - interval '21 minutes' WHERE conversation_id = 'c-short'",
      );
      await holder.query('SELECT pg_advisory_unlock($1)', [HOUSEKEEPING_LOCK]);
      vi.advanceTimersByTime(5 * 60_000);
      expect((await waitForLine(collector, 'Forgot the voters')).forgotten).toBe(1);
      const { rows } = await holder.query(
        "SELECT count(*)::int AS kept FROM feedback WHERE conversation_id = 'c-short' AND voter IS NOT NULL",
      );
      expect(rows).toEqual([{ kept: 0 }]);
    } finally {
      await collector?.close();
      await holder.end();
      await storage.stop();
    }
  });
});

describe('keeping the embedded database', { timeout: 120_000 }, () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test.each<Backend>(['pglite', 'postgres'])(
    'on %s: PGlite is vacuumed and checkpointed every minute, PostgreSQL left to its own processes',
    async (backend) => {
      const storage = await openStorage(backend);
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      const collector = await storage.start({ logLevel: 'debug' });
      try {
        const posted = await send(`${collector.url}api/feedback`, { body: eventBody('kept') });
        expect(posted.status).toBe(201);
        // The round at start-up ends with one, with statistics; then one a minute, without.
        if (backend === 'pglite') {
          expect(await waitForLine(collector, 'Vacuumed and checkpointed')).toMatchObject({
            analyze: true,
          });
        }
        vi.advanceTimersByTime(MAINTAIN_EVERY_MS);
        if (backend === 'pglite') {
          expect(await waitForLine(collector, 'Vacuumed and checkpointed', 2)).toMatchObject({
            analyze: false,
          });
        } else {
          await waitForLine(collector, 'request');
          expect(logged(collector).some((line) => line.msg.startsWith('Vacuumed'))).toBe(false);
        }
      } finally {
        await collector.close();
        await storage.stop();
      }
    },
  );
});

describe('privacy settings', () => {
  test.each([
    [
      'redact',
      { redact: 'emails' },
      /`redact` must be off or a comma-separated list of email, phone, card: "emails"/,
    ],
    ['retention', { retention: '0d' }, /`retention` must be off or a number of days from 1d/],
    ['retention', { retention: '30' }, /`retention` must be off or a number of days/],
    ['retention', { retention: '12h' }, /`retention` must be off or a number of days/],
  ])('a bad %s stops the collector naming it', (_, options, message) => {
    expect(() => createCollector(options as CreateCollectorOptions)).toThrow(message);
  });
});
