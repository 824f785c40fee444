import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signFeedbackToken } from '../../collector/src/token';
import type { Collector } from '../helpers/collector';
import { type Backend, minimalEvent, send, useStorage } from '../helpers/collector';
import { useFakeVendor } from '../helpers/fake-vendor';
import { eventBody, forwardFile, vendorDestinations } from '../helpers/forward';

// What an attacker on the internet tries against a collector, and what it answers. What other
// files already pin (alg none, HS512, expiry, the loopback rule's four headers, CORS basics,
// body limits, gzip) is not repeated here.

const SECRET = 's'.repeat(32);
const ADMIN = 'audit-admin-token-0123456789';

let counter = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;
const basic = (user: string, password: string) => ({
  Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

describe.each<Backend>(['pglite', 'postgres'])(
  'security audit on %s',
  { timeout: 120_000 },
  (backend) => {
    const storage = useStorage(backend);
    const vendor = useFakeVendor({ env: true });
    let open: Collector;
    let signed: Collector;
    let guarded: Collector;
    beforeAll(async () => {
      // Every delivery fails at once (a 4xx is not retried), so one waits for a manual retry.
      vendor.answer = () => ({ status: 422, body: '{}' });
      const destinations = vendorDestinations(vendor.origin, '').filter(
        (destination) => destination.format === 'event',
      );
      const forward = forwardFile({ destinations });
      open = await storage.start({ forwardFile: forward });
      signed = await storage.start({ feedbackSecret: [SECRET] });
      guarded = await storage.start({ adminToken: ADMIN, forwardFile: forward });
    });
    afterAll(async () => {
      await Promise.all([open.close(), signed.close(), guarded.close()]);
    });
    const api = (collector: Collector, path: string) => `${collector.url}api/${path}`;

    /** A vote stored on `collector`, with its one event delivery failed; the delivery's id. */
    async function failedDelivery(collector: Collector, headers: Record<string, string> = {}) {
      const id = unique('evt');
      expect((await send(api(collector, 'feedback'), { body: eventBody(id) })).status).toBe(201);
      let delivery: { id: string; status: string } | undefined;
      await expect
        .poll(
          async () => {
            const { body } = await send(api(collector, `deliveries?feedback_id=${id}`), {
              headers,
            });
            delivery = body.items[0];
            return delivery?.status;
          },
          { timeout: 60_000, interval: 50 },
        )
        .toBe('failed');
      return (delivery as { id: string }).id;
    }

    describe('signed vote tokens', () => {
      test.each(['RS256', 'ES256'])(
        'a token signed %s with a key of its own (algorithm confusion) answers 401 naming HS256, and stores nothing',
        async (alg) => {
          const { privateKey } = await generateKeyPair(alg);
          const token = await new SignJWT({})
            .setProtectedHeader({ alg })
            .setExpirationTime('1h')
            .sign(privateKey);
          const conversation = unique('conv');
          const response = await send(api(signed, 'sentiment'), {
            body: { conversation_id: conversation, sentiment: 'positive' },
            headers: { Authorization: `Bearer ${token}` },
          });
          expect([response.status, response.body.field]).toEqual([401, 'token']);
          expect(response.body.error).toContain('HS256');
          const stored = await send(api(signed, `feedback?conversation_id=${conversation}`));
          expect(stored.body.total).toBe(0);
        },
      );

      test.each([
        [
          'the query string',
          (token: string) => ({ path: `sentiment?token=${token}`, headers: {} }),
        ],
        [
          'a cookie',
          (token: string) => ({ path: 'sentiment', headers: { Cookie: `token=${token}` } }),
        ],
      ])('a valid token in %s is not taken: 401 naming token', async (_, place) => {
        const { path, headers } = place(await signFeedbackToken({}, SECRET));
        const response = await send(api(signed, path), {
          body: { conversation_id: unique('conv'), sentiment: 'positive' },
          headers,
        });
        expect([response.status, response.body.field]).toEqual([401, 'token']);
      });
    });

    describe('the team’s routes', () => {
      test('without ADMIN_TOKEN a page of another origin on this machine cannot retry a delivery', async () => {
        // A dev server's page at localhost:5173 (allowed to vote by default) posts to the
        // collector from the team's own browser: a loopback client with a loopback Host.
        const id = await failedDelivery(open);
        const sent = vendor.requests.length;
        const response = await send(api(open, `deliveries/${id}/retry`), {
          method: 'POST',
          headers: { Origin: 'http://localhost:5173' },
        });
        expect([response.status, response.body.field]).toEqual([403, 'Origin']);
        const { body } = await send(api(open, `deliveries?status=failed`));
        expect(body.items.map((item: { id: string }) => item.id)).toContain(id);
        expect(vendor.requests).toHaveLength(sent);
      });

      test('with ADMIN_TOKEN a page of an allowed origin, with the browser’s remembered sign-in, cannot retry a delivery', async () => {
        const id = await failedDelivery(guarded, basic('maria', ADMIN));
        const response = await send(api(guarded, `deliveries/${id}/retry`), {
          method: 'POST',
          headers: { Origin: 'http://localhost:5173', ...basic('maria', ADMIN) },
        });
        expect([response.status, response.body.field]).toEqual([403, 'Origin']);
        const { body } = await send(api(guarded, `deliveries?status=failed`), {
          headers: basic('maria', ADMIN),
        });
        expect(body.items.map((item: { id: string }) => item.id)).toContain(id);
      });

      test('a retry with a body that is not JSON answers 415 naming Content-Type', async () => {
        const response = await send(api(open, 'deliveries/some-id/retry'), {
          body: 'retry=1',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        });
        expect([response.status, response.body.field]).toEqual([415, 'Content-Type']);
      });

      test('the inbox’s own retry, from the collector’s origin without a body, still reaches the delivery', async () => {
        const response = await send(api(open, 'deliveries/never-stored/retry'), {
          method: 'POST',
          headers: { Origin: new URL(open.url).origin },
        });
        expect([response.status, response.body.field]).toEqual([404, 'id']);
      });

      test('a change from a sandboxed page or a file (Origin: null) answers 403 naming Origin', async () => {
        const id = unique('evt');
        await send(api(open, 'feedback'), { body: minimalEvent(id) });
        const patched = await send(api(open, `feedback/${id}`), {
          method: 'PATCH',
          body: { status: 'spam' },
          headers: { Origin: 'null' },
        });
        const bulk = await send(api(open, 'feedback/bulk'), {
          body: { ids: [id], status: 'spam' },
          headers: { Origin: 'null' },
        });
        expect([patched.status, patched.body.field]).toEqual([403, 'Origin']);
        expect([bulk.status, bulk.body.field]).toEqual([403, 'Origin']);
        expect((await send(api(open, `feedback/${id}`))).body.status).toBe('open');
      });

      test.each(['cross-site', 'same-site'])(
        'a change whose browser says Sec-Fetch-Site: %s, without Origin, answers 403 naming Sec-Fetch-Site on every write route, and changes nothing',
        async (site) => {
          const id = unique('evt');
          const user = unique('user');
          await send(api(open, 'feedback'), { body: minimalEvent(id, { user_id: user }) });
          const delivery = await failedDelivery(open);
          const sent = vendor.requests.length;
          const headers = { 'Sec-Fetch-Site': site };
          const answers = [
            await send(api(open, `feedback/${id}`), {
              method: 'PATCH',
              body: { status: 'spam' },
              headers,
            }),
            await send(api(open, 'feedback/bulk'), {
              body: { ids: [id], status: 'spam' },
              headers,
            }),
            await send(api(open, `feedback?user_id=${user}`), { method: 'DELETE', headers }),
            await send(api(open, `deliveries/${delivery}/retry`), { method: 'POST', headers }),
          ];
          expect(answers.map((answer) => [answer.status, answer.body.field])).toEqual(
            answers.map(() => [403, 'Sec-Fetch-Site']),
          );
          expect((await send(api(open, `feedback/${id}`))).body).toMatchObject({
            status: 'open',
            activity: [],
          });
          const { body } = await send(api(open, 'deliveries?status=failed'));
          expect(body.items.map((item: { id: string }) => item.id)).toContain(delivery);
          expect(vendor.requests).toHaveLength(sent);
        },
      );

      test('with ADMIN_TOKEN and the browser’s remembered sign-in, a cross-site change answers 403 naming Sec-Fetch-Site', async () => {
        const id = unique('evt');
        await send(api(guarded, 'feedback'), { body: minimalEvent(id) });
        const response = await send(api(guarded, `feedback/${id}`), {
          method: 'PATCH',
          body: { status: 'spam' },
          headers: { 'Sec-Fetch-Site': 'cross-site', ...basic('maria', ADMIN) },
        });
        expect([response.status, response.body.field]).toEqual([403, 'Sec-Fetch-Site']);
        const kept = await send(api(guarded, `feedback/${id}`), { headers: basic('maria', ADMIN) });
        expect(kept.body.status).toBe('open');
      });

      test.each([
        ['same-origin (the inbox)', 'same-origin', true],
        ['none (typed by a person)', 'none', false],
      ])('a change whose browser says Sec-Fetch-Site: %s is made', async (_, site, fromPage) => {
        const id = unique('evt');
        await send(api(open, 'feedback'), { body: minimalEvent(id) });
        const origin = fromPage ? { Origin: new URL(open.url).origin } : {};
        const response = await send(api(open, `feedback/${id}`), {
          method: 'PATCH',
          body: { status: 'resolved' },
          headers: { 'Sec-Fetch-Site': site, ...origin },
        });
        expect([response.status, response.body.status]).toEqual([200, 'resolved']);
      });

      test('a vote from another site (Sec-Fetch-Site: cross-site) is still stored', async () => {
        const id = unique('evt');
        const response = await send(api(open, 'feedback'), {
          body: minimalEvent(id),
          headers: { 'Sec-Fetch-Site': 'cross-site', Origin: 'http://localhost:5173' },
        });
        expect(response.status).toBe(201);
        expect((await send(api(open, `feedback/${id}`))).status).toBe(200);
      });

      test.each([
        ['text/plain (a form or fetch without a preflight)', { 'Content-Type': 'text/plain' }],
        ['no Content-Type', {}],
      ])('a bulk change sent as %s answers 415 and changes nothing', async (_, headers) => {
        const id = unique('evt');
        await send(api(open, 'feedback'), { body: minimalEvent(id) });
        const response = await fetch(api(open, 'feedback/bulk'), {
          method: 'POST',
          headers,
          body: new Blob([JSON.stringify({ ids: [id], status: 'spam' })]),
        });
        expect(response.status).toBe(415);
        expect((await response.json()).field).toBe('Content-Type');
        expect((await send(api(open, `feedback/${id}`))).body.status).toBe('open');
      });
    });

    describe('keys that name the prototype', () => {
      test.each(['__proto__', 'constructor', 'toString'])(
        'attention by=%s answers 400 naming by',
        async (by) => {
          const response = await send(api(open, `feedback/attention?by=${by}`));
          expect([response.status, response.body.field]).toEqual([400, 'by']);
        },
      );

      test('a vote’s __proto__ key sets none of its fields, and metadata keeps such keys as data', async () => {
        const id = unique('evt');
        const body = JSON.stringify(
          minimalEvent(id, {
            metadata: { plan: 'pro' },
          }),
        )
          .replace('{', '{"__proto__":{"comment":"injected","user_id":"admin","rating":"down"},')
          .replace(
            '"plan":"pro"',
            '"plan":"pro","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}',
          );
        expect((await send(api(open, 'feedback'), { body })).status).toBe(201);
        const { body: record } = await send(api(open, `feedback/${id}`));
        expect(record).toMatchObject({ rating: 'up' });
        expect(record).not.toHaveProperty('comment');
        expect(record).not.toHaveProperty('user_id');
        expect(Object.keys(record.metadata)).toEqual(['plan', '__proto__', 'constructor']);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      });

      test.each([
        ['PATCH', (id: string) => `feedback/${id}`, '{"__proto__":{"status":"spam"}}'],
        ['bulk', () => 'feedback/bulk', '{"__proto__":{"status":"spam"},"ids":[]}'],
      ])(
        'a %s whose __proto__ key holds a change answers 400 naming it and changes nothing',
        async (method, path, text) => {
          const id = unique('evt');
          await send(api(open, 'feedback'), { body: minimalEvent(id) });
          const response = await send(api(open, path(id)), {
            method: method === 'PATCH' ? 'PATCH' : 'POST',
            body: text.replace('"ids":[]', `"ids":["${id}"]`),
          });
          expect([response.status, response.body.field]).toEqual([400, '__proto__']);
          expect((await send(api(open, `feedback/${id}`))).body).toMatchObject({
            status: 'open',
            activity: [],
          });
        },
      );
    });
  },
);
