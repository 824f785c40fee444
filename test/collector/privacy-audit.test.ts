import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { type Backend, send, useStorage } from '../helpers/collector';
import { findInDatabase, withDatabase } from '../helpers/database';
import { eventBody, forwardFile } from '../helpers/forward';
import { redact, testKept, testRedacted } from '../helpers/redaction';

/** Every space separator Unicode has (`\p{Zs}`): what a phone or card may be grouped by. */
const SPACES = [...Array(0x3001).keys()]
  .map((code) => String.fromCharCode(code))
  .filter((char) => /\p{Zs}/u.test(char));

/** Full-width forms, as a Japanese or Chinese input method types digits and signs. */
const fullWidth = (text: string) =>
  text.replace(/[0-9+\-().]/g, (char) => String.fromCharCode(char.charCodeAt(0) + 0xfee0));

describe('redaction audit: numbers written with other spaces and full-width signs', () => {
  test.each(SPACES.map((space) => [space.codePointAt(0)?.toString(16).padStart(4, '0'), space]))(
    'a phone and a card grouped by U+%s are redacted',
    (_, space) => {
      const text = `call +49${space}30${space}1234567 or 030${space}123${space}4567, card 4111${space}1111${space}1111${space}1111`;
      expect(redact(text)).toBe('call [phone] or [phone], card [card]');
    },
  );

  testRedacted('%j, typed full-width, becomes %j', [
    ['０３－１２３４－５６７８', '[phone]'],
    ['（０３）１２３４－５６７８', '[phone]'],
    ['(０３)１２３４－５６７８', '[phone]'],
    ['＋４９１７０１２３４５６７', '[phone]'],
    ['＋４９ ３０ １２３４５６７', '[phone]'],
    ['０６．１２．３４．５６．７８', '[phone]'],
    ['４１１１－１１１１－１１１１－１１１１', '[card]'],
    ['４１１１\u3000１１１１\u3000１１１１\u3000１１１１', '[card]'],
    [`電話 ${fullWidth('+81-3-1234-5678')} まで`, '電話 [phone] まで'],
  ]);

  testRedacted('%j, grouped by minus signs, becomes %j', [
    ['030\u22121234\u2212567', '[phone]'],
    ['4111\u22121111\u22121111\u22121111', '[card]'],
  ]);

  test('full-width dates, times and order numbers stay', () => {
    for (const text of ['２０２４－０１－１５', '１０：３０', '注文 １２３４５６７８']) {
      expect(redact(text)).toBe(text);
    }
  });
});

describe('redaction audit: text written without spaces between words', () => {
  testRedacted('a number against the words around it is still redacted: %j becomes %j', [
    ['電話は03-1234-5678です', '電話は[phone]です'],
    ['電話は０３－１２３４－５６７８です', '電話は[phone]です'],
    ['カード番号は4111111111111111です', 'カード番号は[card]です'],
    ['我的电话是+86 138 0013 8000谢谢', '我的电话是[phone]谢谢'],
    ['전화번호는010-1234-5678입니다', '전화번호는[phone]입니다'],
    ['เบอร์โทร081-234-5678ครับ', 'เบอร์โทร[phone]ครับ'],
  ]);

  testRedacted('an address takes only itself, not the words around it: %j becomes %j', [
    ['問題があります。連絡先はjane@example.comです。', '問題があります。連絡先は[email]です。'],
    ['メールはjane.doe@example.co.jpまでお願いします', 'メールは[email]までお願いします'],
    ['请发邮件到jane@example.com谢谢', '请发邮件到[email]谢谢'],
    ['이메일은jane@example.com입니다', '이메일은[email]입니다'],
    ['宛先: 山田たろう@example.jp', '宛先: [email]'],
    ['bob@例え.テストです', '[email]です'],
    ['連絡先はjane@example.com．次は電話で', '連絡先は[email]．次は電話で'],
    ['連絡先はjane@example.com.次は電話で', '連絡先は[email].次は電話で'],
  ]);

  test('digits glued to Latin letters are still part of a word', () => {
    for (const text of ['注文ABC4111111111111111です', 'ハッシュa4111111111111111']) {
      expect(redact(text)).toBe(text);
    }
  });
});

/** Two moments whose day, month, hour and minute cannot be mistaken for one another. */
const MOMENTS = [
  new Date(Date.UTC(2024, 11, 15, 14, 30, 45)),
  new Date(Date.UTC(2024, 0, 5, 9, 5, 7)),
];
const DATE_STYLES: Intl.DateTimeFormatOptions[] = [
  {},
  { year: 'numeric', month: '2-digit', day: '2-digit' },
  { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' },
  {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  },
];
const LOCALES = Intl.DateTimeFormat.supportedLocalesOf(
  `af ar bg bn ca cs da de de-CH el en en-CA en-GB en-IN en-ZA es et eu fa fi fr fr-CA fr-CH he
   hi hr hu id it ja ko lt lv nb nl pl pt pt-PT ro ru sk sl sr sv ta te th tr uk vi zh zh-TW`.split(
    /\s+/,
  ),
);

describe('redaction audit: dates and times as people write them stay', () => {
  test('this runtime formats dates in the locales listed', () => {
    expect(LOCALES.length).toBeGreaterThan(40);
  });

  test.each(LOCALES)('dates and times as %s writes them stay', (locale) => {
    const written = MOMENTS.flatMap((moment) =>
      DATE_STYLES.map((style) => moment.toLocaleString(locale, { ...style, timeZone: 'UTC' })),
    );
    for (const text of written) expect(redact(`seit ${text} kaputt`)).toBe(`seit ${text} kaputt`);
  });

  testKept('%j stays', [
    'since 15-01-2024',
    'on 01-15-2024',
    'from 15-01-2024 to 20-02-2024',
    'am 15. 1. 2024 um 14 Uhr',
    'dne 15. 12. 2024 v 14:30',
    '2024. 12. 15. 14:30:45',
    'on 12/15/2024 (14:30)',
    'le 2024-12-15 14 h 30',
    '2024-01-15 10:30 - 11:45',
  ]);

  testRedacted(
    'a phone number beside a date or a time is still redacted, the date or time kept: %j becomes %j',
    [
      ['on 2024-01-15 call +49 30 1234567', 'on 2024-01-15 call [phone]'],
      ['on 2024-01-15 030 123 4567', 'on 2024-01-15 [phone]'],
      ['2024-01-15 10:30:00 030 123 4567', '2024-01-15 10:30:00 [phone]'],
      ['at 10:30 (030) 1234567', 'at 10:30 [phone]'],
      ['+33 6.12.34.56', '[phone]'],
    ],
  );
});

describe.each<Backend>(['pglite', 'postgres'])(
  'privacy audit on %s',
  { timeout: 120_000 },
  (backend) => {
    const storage = useStorage(backend);

    test('a client’s address is in no log line and no column, whatever its requests were answered', async () => {
      const addresses = ['203.0.113.77', '2001:db8::77'];
      const place = await storage.options();
      const admin = 'audit-admin-token-0123456789abcdef';
      const collector = await storage.start({
        ...place,
        trustProxy: 1,
        rateLimit: 2,
        adminToken: admin,
        logLevel: 'debug',
      });
      const from = (address: string) => ({ 'X-Forwarded-For': address });
      const answered: number[] = [];
      for (const [index, address] of addresses.entries()) {
        const vote = (body: unknown) =>
          send(`${collector.url}api/conversations/c-address/downvote`, {
            body,
            headers: from(address),
          });
        answered.push((await vote({ reason: 'slow' })).status);
        answered.push((await vote({ value: 'not a number' })).status);
        const event = eventBody(`address-${index}`, { comment: 'Slow again.' });
        answered.push((await send(`${collector.url}api/feedback`, { body: event })).status);
        answered.push((await vote({})).status);
        answered.push(
          (
            await send(`${collector.url}api/feedback`, {
              headers: { ...from(address), Authorization: 'Bearer wrong' },
            })
          ).status,
        );
        const erase = await send(`${collector.url}api/feedback?conversation_id=c-other`, {
          method: 'DELETE',
          headers: { ...from(address), Authorization: `Bearer ${admin}` },
        });
        answered.push(erase.status);
      }
      await collector.close();
      // A vote, a refused one, an event, one over the rate limit, a wrong token, an erasure.
      expect(answered).toEqual([200, 400, 201, 429, 401, 200, 200, 400, 201, 429, 401, 200]);
      const logs = collector.logs().join('\n');
      expect(logs).toContain('"route":"/api/conversations/:id/downvote"');
      for (const address of addresses) expect(logs).not.toContain(address);
      // The votes stay, each with its voter: an HMAC of the address.
      await withDatabase(place, async (db) => {
        expect(await findInDatabase(db, addresses)).toEqual([]);
        const voters = await db.query<{ voter: string }>(
          "SELECT voter FROM feedback WHERE conversation_id = 'c-address'",
        );
        expect(voters).toEqual([
          { voter: expect.stringMatching(/^client:[0-9a-f]{64}$/) },
          { voter: expect.stringMatching(/^client:[0-9a-f]{64}$/) },
        ]);
      });
    });

    test('what an Idempotency-Key keeps of a vote gives no way back to the text redaction took out', async () => {
      const place = await storage.options();
      const collector = await storage.start(place);
      // The widget sends each vote with its id as its key.
      const typed = (phone: string) =>
        eventBody('fingerprint-vote', { comment: `Call me back on ${phone}, please.` });
      const phone = '+49 30 4567890';
      const voted = await send(`${collector.url}api/feedback`, {
        body: typed(phone),
        headers: { 'Idempotency-Key': 'fingerprint-vote' },
      });
      expect(voted.status).toBe(201);
      const repeat = await send(`${collector.url}api/feedback`, {
        body: typed(phone),
        headers: { 'Idempotency-Key': 'fingerprint-vote' },
      });
      expect(repeat).toMatchObject({ status: 201, body: voted.body });
      await collector.close();
      const kept = await withDatabase(place, (db) =>
        db.query<{ fingerprint: string }>(
          "SELECT fingerprint FROM idempotency_keys WHERE key = 'fingerprint-vote'",
        ),
      );
      // One who reads the database tries the numbers the stored `[phone]` may have been.
      const digest = (candidate: string) =>
        createHash('sha256')
          .update(`/api/feedback\n${JSON.stringify(typed(candidate))}`)
          .digest('base64url');
      const candidates = Array.from(
        { length: 100 },
        (_, n) => `+49 30 45678${String(n).padStart(2, '0')}`,
      );
      expect(candidates).toContain(phone);
      const found = candidates.filter((candidate) => digest(candidate) === kept[0]?.fingerprint);
      expect(found).toEqual([]);
    });

    test('a vote stored before redaction applied to it keeps no fingerprint of its text once redacted, and its key still answers', async () => {
      const place = await storage.options();
      const body = eventBody('fingerprint-backfill', {
        comment: 'Card 4111 1111 1111 1111 failed.',
      });
      const headers = { 'Idempotency-Key': 'fingerprint-backfill' };
      const off = await storage.start({ ...place, redact: 'off' });
      expect((await send(`${off.url}api/feedback`, { body, headers })).status).toBe(201);
      await off.close();
      const fingerprints = () =>
        withDatabase(place, (db) =>
          db.query<{ fingerprint: string | null }>(
            "SELECT fingerprint FROM idempotency_keys WHERE key = 'fingerprint-backfill'",
          ),
        );
      expect((await fingerprints())[0]?.fingerprint).toEqual(expect.any(String));
      const on = await storage.start(place);
      await expect
        .poll(async () => (await send(`${on.url}api/feedback/fingerprint-backfill`)).body.comment)
        .toBe('Card [card] failed.');
      const repeat = await send(`${on.url}api/feedback`, { body, headers });
      expect(repeat).toMatchObject({ status: 201, body: { id: 'fingerprint-backfill' } });
      await on.close();
      expect(await fingerprints()).toEqual([{ fingerprint: null }]);
    });

    test('a page URL is stored without the user name and password it may carry', async () => {
      const collector = await storage.start();
      for (const [id, pageUrl] of [
        ['page-credentials', 'https://jane:hunter2@intranet.example.com/help?token=1#top'],
        ['page-user', 'https://jane@intranet.example.com'],
        ['page-at-in-path', 'https://example.com/unsubscribe/jane@example.com'],
      ]) {
        const body = eventBody(id as string, { page_url: pageUrl });
        expect((await send(`${collector.url}api/feedback`, { body })).status).toBe(201);
      }
      const stored = async (id: string) =>
        (await send(`${collector.url}api/feedback/${id}`)).body.page_url;
      expect([
        await stored('page-credentials'),
        await stored('page-user'),
        await stored('page-at-in-path'),
      ]).toEqual([
        'https://intranet.example.com/help',
        'https://intranet.example.com',
        'https://example.com/unsubscribe/jane@example.com',
      ]);
      await collector.close();
    });

    test('an erasure takes its records’ comment alerts still waiting to be sent with them', async () => {
      const place = await storage.options();
      const comments = forwardFile({
        alerts: [
          { name: 'comments', when: 'comment', format: 'json', url: 'http://127.0.0.1:9/hook' },
        ],
      });
      // Nothing listens on port 9 (discard): each alert is tried and waits to be tried again.
      const collector = await storage.start({ ...place, forwardFile: comments });
      const text = 'The agent called me Jane Roe-Audit';
      for (const [id, key] of [
        ['alert-user', { user_id: 'u-alert-audit' }],
        ['alert-session', { session_id: 's-alert-audit' }],
        ['alert-conversation', { conversation_id: 'c-alert-audit' }],
      ] as const) {
        const body = eventBody(id, {
          rating: 'down',
          sentiment: 'negative',
          value: -100,
          comment: text,
          ...key,
        });
        expect((await send(`${collector.url}api/feedback`, { body })).status).toBe(201);
      }
      const pending = await send(`${collector.url}api/deliveries?status=pending`);
      expect(pending.body.total).toBe(3);
      for (const query of [
        'user_id=u-alert-audit',
        'session_id=s-alert-audit',
        'conversation_id=c-alert-audit',
      ]) {
        const erased = await send(`${collector.url}api/feedback?${query}`, { method: 'DELETE' });
        expect(erased).toMatchObject({ status: 200, body: { deleted: 1 } });
      }
      expect((await send(`${collector.url}api/deliveries`)).body.total).toBe(0);
      await collector.close();
      expect(await withDatabase(place, (db) => findInDatabase(db, ['Jane Roe-Audit']))).toEqual([]);
    });
  },
);
