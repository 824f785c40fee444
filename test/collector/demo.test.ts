import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { verifyFeedbackToken } from '../../collector/src/token';
import { demoHandler } from '../../demo/server';
import { type Collector, listenCollector, pgliteDataDir, send } from '../helpers/collector';

const SECRET = 'd'.repeat(32);

/** `npm start`: the demo's pages and chat backend in front of the collector, on its port. */
describe('the demo in front of the collector', () => {
  let demo: Collector;
  beforeAll(async () => {
    demo = await listenCollector({
      dataDir: pgliteDataDir(),
      feedbackSecret: SECRET,
      wrap: (collector) => demoHandler(collector, SECRET),
    });
  });
  afterAll(() => demo.close());

  test('the landing page is served with the Content-Security-Policy and nosniff', async () => {
    const response = await fetch(demo.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'",
    );
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  test('a missing demo file answers 404', async () => {
    expect((await fetch(`${demo.url}demo/missing-file.js`)).status).toBe(404);
  });

  test('a path climbing out of the demo folder answers 404', async () => {
    expect((await fetch(`${demo.url}demo/%2e%2e%2fpackage.json`)).status).toBe(404);
    expect((await fetch(`${demo.url}demo/..%2f..%2fpackage.json`)).status).toBe(404);
  });

  test('POST on a page answers 405', async () => {
    const response = await fetch(`${demo.url}chat`, { method: 'POST' });
    expect([response.status, response.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });

  test('the chat backend names each answer and signs a token for it', async () => {
    const { status, body } = await send(`${demo.url}demo/answer`, {
      body: { conversation_id: 'conv-demo' },
    });
    expect(status).toBe(200);
    const claims = await verifyFeedbackToken(body.token, SECRET);
    expect(claims).toMatchObject({ conversation_id: 'conv-demo', message_id: body.message_id });
  });

  test('the chat backend names the field it refuses', async () => {
    const { status, body } = await send(`${demo.url}demo/answer`, { body: {} });
    expect([status, body.field]).toEqual([400, 'conversation_id']);
  });

  test('every other route is the collector’s', async () => {
    expect((await send(`${demo.url}api/feedback/stats`)).status).toBe(200);
    expect((await send(`${demo.url}healthz`)).body).toEqual({ status: 'ok' });
  });
});
