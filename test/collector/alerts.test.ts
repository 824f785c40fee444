import { rmSync } from 'node:fs';
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  onTestFinished,
  test,
  vi,
} from 'vitest';
import type { CreateCollectorOptions } from '../../collector/src/collector';
import { createCollector } from '../../collector/src/collector';
import {
  type Backend,
  type Collector,
  minimalEvent,
  pgliteDataDir,
  send,
  useStorage,
} from '../helpers/collector';
import { badAnswersAlert, forwardFile, secret } from '../helpers/forward';
import {
  type RecordingServer,
  type Reply,
  startRecordingServer,
} from '../helpers/recording-server';

/** Generous: the worker polls every 100 ms, but two cores are shared by several suites. */
const WAIT = { timeout: 10_000 };
const HOUR = 3_600_000;
const HOOK = 'T0001/B0001/hook-secret-3f9a';
const PUBLIC_URL = 'https://votes.example.com';
const DOWN = { rating: 'down', sentiment: 'negative', value: 0 };

describe('alerts in FORWARD_FILE', () => {
  const comment = {
    name: 'comments',
    when: 'comment',
    format: 'slack',
    url: 'https://hooks.example.com/x',
  };
  const rate = badAnswersAlert();
  /** The message the collector refuses to start with for these alerts (and destinations). */
  function refusal(alerts: unknown[], destinations: unknown[] = []): string {
    try {
      createCollector({ forwardFile: forwardFile({ destinations, alerts }), env: {} });
    } catch (problem) {
      return (problem as Error).message;
    }
    return 'the collector started';
  }

  test('the README’s example is taken', () => {
    const file = forwardFile({
      destinations: [],
      alerts: [
        {
          name: 'down-comments',
          when: 'comment',
          rating: ['down'],
          format: 'slack',
          url: `https://hooks.slack.com/services/${secret('SLACK_HOOK')}`,
        },
        rate,
      ],
    });
    expect(() => createCollector({ forwardFile: file, env: { SLACK_HOOK: HOOK } })).not.toThrow();
  });

  test('a file with alerts only is taken', () => {
    expect(() =>
      createCollector({ forwardFile: forwardFile({ alerts: [comment] }), env: {} }),
    ).not.toThrow();
  });

  test.each<[string, Record<string, unknown>, string]>([
    [
      'an unknown field',
      { ...comment, channel: '#x' },
      'alert "comments": `channel` is not a field',
    ],
    [
      'a field of down_rate on a comment alert',
      { ...comment, threshold: 0.5 },
      '`threshold` applies to when down_rate only',
    ],
    [
      'a field of comment on a down_rate alert',
      { ...rate, rating: ['down'] },
      'alert "bad-answers": `rating` applies to when comment only',
    ],
    ['an unknown when', { ...comment, when: 'always' }, '`when` must be comment or down_rate'],
    ['an unknown format', { ...comment, format: 'teams' }, '`format` must be slack or json'],
    ['a bad name', { ...comment, name: 'Comments!' }, '`name` must be 1 to 40'],
    [
      'a URL that is not http(s)',
      { ...comment, url: 'ftp://hooks.example.com/' },
      '`url` must be an http(s) URL',
    ],
    ['a bad rating', { ...comment, rating: ['sideways'] }, '`rating` must be a list'],
    ['a bad by', { ...rate, by: 'user' }, '`by` must be message or page'],
    ['a bad window', { ...rate, window: 'soon' }, '`window` must be a duration'],
    ['a missing window', { ...rate, window: undefined }, '`window` must be a duration'],
    ['a min_votes of 0', { ...rate, min_votes: 0 }, '`min_votes` must be a whole number'],
    [
      'a min_votes no window reaches',
      { ...rate, min_votes: 1e300 },
      'alert "bad-answers": `min_votes` must be a whole number from 1 to 1000000',
    ],
    ['a threshold above 1', { ...rate, threshold: 1.5 }, '`threshold` must be a share'],
    ['a bad max_age', { ...comment, max_age: 'forever' }, '`max_age` must be a duration'],
    [
      'a window past 100 years',
      { ...rate, window: '1000000d' },
      'alert "bad-answers": `window` must be a duration from 1m to 36500d',
    ],
    [
      'a max_age past 100 years',
      { ...comment, max_age: '999999999999d' },
      'alert "comments": `max_age` must be a duration from 1m to 36500d',
    ],
  ])('%s is refused, naming the alert and the field', (_, alert, named) => {
    const message = refusal([alert]);
    expect(message).toContain('`forwardFile`');
    expect(message).toContain(named);
  });

  test('a variable that is not set, in the URL or a header, is refused naming it', () => {
    expect(
      refusal([{ ...comment, url: `https://hooks.example.com/${secret('NO_SUCH_HOOK')}` }]),
    ).toContain(
      `alert "comments": \`url\` uses ${secret('NO_SUCH_HOOK')}, but no variable NO_SUCH_HOOK is set`,
    );
    expect(refusal([{ ...comment, headers: { Authorization: secret('NO_SUCH_KEY') } }])).toContain(
      '`headers.Authorization`',
    );
  });

  test('names are unique across destinations and alerts', () => {
    const destination = { name: 'comments', format: 'event', url: 'https://a.example.com/' };
    expect(refusal([comment], [destination])).toContain(
      'alert "comments": `name` is used by an earlier destination or alert',
    );
    expect(refusal([comment, { ...rate, name: 'comments' }])).toContain('`name` is used');
  });
});

describe.each<Backend>(['pglite', 'postgres'])('alerts on %s', { timeout: 60_000 }, (backend) => {
  const storage = useStorage(backend);
  let hook: RecordingServer;
  let collector: Collector | undefined;
  let ids = 0;

  beforeAll(async () => {
    hook = await startRecordingServer();
  });
  afterAll(async () => {
    await hook.close();
  });
  beforeEach(() => {
    hook.requests.length = 0;
    hook.reply = () => ({ status: 200, body: 'ok' });
  });
  afterEach(async () => {
    await collector?.close();
    collector = undefined;
  });

  async function start(alerts: Record<string, unknown>[], overrides: CreateCollectorOptions = {}) {
    collector = await storage.start({
      forwardFile: forwardFile({ alerts }),
      env: { SLACK_HOOK: HOOK },
      ...overrides,
    });
    return collector.url;
  }
  const alert = (fields: Record<string, unknown>) => ({
    name: `alert-${++ids}`,
    format: 'json',
    url: `${hook.origin}/hooks/${secret('SLACK_HOOK')}`,
    ...fields,
  });
  /** A down_rate alert over a window of one hour. */
  const downRate = (by: string, minVotes: number, threshold: number, fields = {}) =>
    alert({ when: 'down_rate', by, window: '1h', min_votes: minVotes, threshold, ...fields });
  async function vote(url: string, fields: Record<string, unknown> = {}): Promise<string> {
    const id = `${backend}-alert-vote-${++ids}`;
    expect((await send(`${url}api/feedback`, { body: minimalEvent(id, fields) })).status).toBe(201);
    return id;
  }
  const deliveries = async (url: string, destination: string) =>
    (await send(`${url}api/deliveries?destination=${destination}`)).body;

  test('a comment alert posts Slack text with everything a comment could forge escaped', async () => {
    const slack = alert({ when: 'comment', rating: ['down'], format: 'slack' });
    const url = await start([slack], { publicUrl: PUBLIC_URL });
    const id = await vote(url, {
      ...DOWN,
      message_id: 'm-7',
      reason: 'Wrong <b>',
      comment: '<!channel> ping & <https://evil.example|click here>\nsecond line',
    });
    const [request] = await hook.waitFor(1);
    expect(request?.path).toBe(`/hooks/${HOOK}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(request?.body).toEqual({
      text: [
        ':-1: *Down* vote with a comment (message m-7, https://help.example.com/a)',
        'Reason: Wrong &lt;b&gt;',
        '> &lt;!channel&gt; ping &amp; &lt;https://evil.example|click here&gt;',
        '> second line',
        `<${PUBLIC_URL}/dashboard?id=${id}|Open it in the inbox>`,
      ].join('\n'),
    });
  });

  test('a comment alert goes only for the ratings it names, and only with a comment', async () => {
    const json = alert({ when: 'comment', rating: ['down'] });
    const url = await start([json]);
    await vote(url, { comment: 'Great answer' });
    await vote(url, DOWN);
    const id = await vote(url, { ...DOWN, comment: 'The link is broken' });
    const [request] = await hook.waitFor(1);
    await vi.waitFor(async () => {
      expect((await deliveries(url, json.name)).items).toEqual([
        expect.objectContaining({ feedback_id: id, destination: json.name, status: 'delivered' }),
      ]);
    }, WAIT);
    const { body: record } = await send(`${url}api/feedback/${id}`);
    const { activity, ...feedback } = record;
    expect(request?.body).toEqual({ alert: json.name, feedback });
    expect(hook.requests).toHaveLength(1);
  });

  test('a failing webhook is retried with one Idempotency-Key until it answers', async () => {
    let calls = 0;
    hook.reply = () => (++calls < 3 ? { status: 503 } : { status: 200 });
    const json = alert({ when: 'comment' });
    const url = await start([json]);
    await vote(url, { comment: 'retry me' });
    const requests = await hook.waitFor(3, 30_000);
    expect(new Set(requests.map((request) => request.headers['idempotency-key'])).size).toBe(1);
    await vi.waitFor(
      async () =>
        expect((await deliveries(url, json.name)).items[0]).toMatchObject({
          status: 'delivered',
          attempts: 3,
        }),
      { timeout: 10_000 },
    );
    const { body } = await send(`${url}api/deliveries/stats`);
    expect(body.destinations).toEqual([
      { destination: json.name, pending: 0, delivered: 1, failed: 0 },
    ]);
  });

  test('a down_rate alert fires once per subject per window, and again once the window has passed', async () => {
    let offset = -2 * HOUR;
    const rate = downRate('message', 3, 0.5, { max_age: '7d' });
    const url = await start([rate], { clock: () => new Date(Date.now() + offset) });
    const on = { message_id: 'm-rate' };
    await vote(url, { ...on, ...DOWN });
    await vote(url, on);
    await vote(url, { ...DOWN, message_id: 'm-other' });
    await vote(url, { ...on, ...DOWN });
    await vote(url, { ...on, ...DOWN });
    const [first] = await hook.waitFor(1);
    expect(first?.body).toEqual({
      alert: rate.name,
      subject: 'm-rate',
      votes: 3,
      down_rate: 0.6667,
    });
    offset = 0;
    await vote(url, { ...on, ...DOWN });
    await vote(url, { ...on, ...DOWN });
    await vote(url, { ...on, ...DOWN });
    const second = await hook.waitFor(2);
    expect(second[1]?.body).toEqual({
      alert: rate.name,
      subject: 'm-rate',
      votes: 3,
      down_rate: 1,
    });
    expect(
      (await deliveries(url, rate.name)).items.map((item: object) => 'feedback_id' in item),
    ).toEqual([false, false]);
  });

  test('a down_rate alert by page in Slack links to the subject’s votes', async () => {
    const rate = downRate('page', 2, 1, { format: 'slack' });
    const url = await start([rate], { publicUrl: PUBLIC_URL, basePath: '/feedback' });
    const page = { page_url: 'https://help.example.com/billing/<&>' };
    await vote(`${url}feedback/`, { ...page, ...DOWN });
    await vote(`${url}feedback/`, { ...page, ...DOWN });
    const [request] = await hook.waitFor(1);
    const q = encodeURIComponent('page:https://help.example.com/billing/<&>');
    expect(request?.body).toHaveProperty(
      'text',
      ':rotating_light: 2 of 2 votes on page https://help.example.com/billing/&lt;&amp;&gt; in the last 1h were down (100 %).\n' +
        `<${PUBLIC_URL}/feedback/dashboard?q=${q}|See them in the inbox>`,
    );
  });

  test('spam votes never count towards a down_rate alert', async () => {
    const rate = downRate('message', 3, 0.5);
    const url = await start([rate]);
    const on = { message_id: 'm-spam', ...DOWN };
    const spam = [await vote(url, on), await vote(url, on)];
    await send(`${url}api/feedback/bulk`, { body: { ids: spam, status: 'spam' } });
    await vote(url, on);
    await vote(url, on);
    expect((await deliveries(url, rate.name)).total).toBe(0);
    await vote(url, on);
    await hook.waitFor(1);
    expect(hook.requests[0]?.body).toMatchObject({ votes: 3, down_rate: 1 });
  });

  test('votes on one subject arriving at once set off one down_rate alert between them', async () => {
    const rate = downRate('message', 3, 0.5);
    const url = await start([rate]);
    await Promise.all(
      Array.from({ length: 20 }, () => vote(url, { message_id: 'm-rush', ...DOWN })),
    );
    await hook.waitFor(1);
    expect((await deliveries(url, rate.name)).total).toBe(1);
    expect(hook.requests[0]?.body).toMatchObject({ subject: 'm-rush', down_rate: 1 });
  });

  test('two down_rate alerts, by message and by page, are each counted on every vote', async () => {
    const byMessage = downRate('message', 2, 1);
    const byPage = downRate('page', 3, 0.6);
    const url = await start([byMessage, byPage]);
    const page = 'https://help.example.com/articles/7';
    await vote(url, { message_id: 'm-a', page_url: page });
    await vote(url, { message_id: 'm-b', page_url: page, ...DOWN });
    expect((await deliveries(url, byMessage.name)).total).toBe(0);
    await vote(url, { message_id: 'm-b', page_url: page, ...DOWN });
    const sent = await hook.waitFor(2);
    expect(sent.map((request) => request.body)).toEqual(
      expect.arrayContaining([
        { alert: byMessage.name, subject: 'm-b', votes: 2, down_rate: 1 },
        { alert: byPage.name, subject: page, votes: 3, down_rate: 0.6667 },
      ]),
    );
    expect((await deliveries(url, byMessage.name)).total).toBe(1);
    expect((await deliveries(url, byPage.name)).total).toBe(1);
  });

  test('a comment alert still pending when its record is marked spam is cancelled, and stays so', async () => {
    hook.reply = () => ({ status: 503 });
    const json = alert({ when: 'comment' });
    const url = await start([json]);
    const id = await vote(url, { comment: 'Buy cheap watches' });
    await hook.waitFor(1);
    await send(`${url}api/feedback/${id}`, { method: 'PATCH', body: { status: 'spam' } });
    // Cancelled at once, or, were it being sent that moment, before its next attempt (1 s on,
    // with jitter).
    await vi.waitFor(
      async () =>
        expect((await deliveries(url, json.name)).items[0]).toMatchObject({
          feedback_id: id,
          status: 'failed',
          last_error: 'spam',
        }),
      { timeout: 10_000, interval: 100 },
    );
    const [cancelled] = (await deliveries(url, json.name)).items;
    const retry = await send(`${url}api/deliveries/${cancelled.id}/retry`, { body: {} });
    expect([retry.status, retry.body.field]).toEqual([409, 'id']);
    expect((await deliveries(url, json.name)).items[0].status).toBe('failed');
  });

  test('a comment alert in flight when its record is marked spam stays cancelled once answered', async () => {
    let answer: (reply: Reply) => void = () => {};
    hook.reply = () => new Promise((resolve) => (answer = resolve));
    const json = alert({ when: 'comment' });
    // The same storage after a restart: a PGlite directory of its own, or the same database.
    const same = backend === 'pglite' ? { dataDir: pgliteDataDir() } : {};
    onTestFinished(() => {
      if (same.dataDir) rmSync(same.dataDir, { recursive: true, force: true });
    });
    const url = await start([json], same);
    const id = await vote(url, { comment: 'Buy cheap watches' });
    await hook.waitFor(1);
    // Its batch was written back without it: pending, leased until its attempt has timed out.
    await vi.waitFor(
      async () =>
        expect(
          Date.parse((await deliveries(url, json.name)).items[0].next_attempt_at),
        ).toBeGreaterThan(Date.now() + 5_000),
      { timeout: 5_000 },
    );
    await send(`${url}api/feedback/${id}`, { method: 'PATCH', body: { status: 'spam' } });
    const cancelled = { status: 'failed', attempts: 0, last_error: 'spam' };
    expect((await deliveries(url, json.name)).items[0]).toMatchObject(cancelled);
    answer({ status: 400, body: 'refused' });
    // Its outcome is logged just before it is written; stopping waits for the write.
    await vi.waitFor(() => expect(collector?.logs().join('\n')).toContain('delivery failed'), WAIT);
    await collector?.close();
    const restarted = await start([json], same);
    expect((await deliveries(restarted, json.name)).items[0]).toMatchObject(cancelled);
  });

  test('an alert not delivered within its max_age is failed, never sent late', async () => {
    const json = alert({ when: 'comment', max_age: '1h' });
    const url = await start([json], { clock: () => new Date(Date.now() - 2 * HOUR) });
    await vote(url, { comment: 'Too late to tell anyone' });
    await vi.waitFor(
      async () =>
        expect((await deliveries(url, json.name)).items[0]).toMatchObject({
          status: 'failed',
          attempts: 0,
          last_error: expect.stringContaining('max_age'),
        }),
      WAIT,
    );
    expect(hook.requests).toHaveLength(0);
  });

  test('no answer or log line holds the webhook’s secret', async () => {
    hook.reply = () => ({ status: 400, body: `bad hook /hooks/${HOOK}` });
    const json = alert({ when: 'comment' });
    const url = await start([json]);
    await vote(url, { comment: 'secret?' });
    await vi.waitFor(
      async () => expect((await deliveries(url, json.name)).items[0]?.status).toBe('failed'),
      WAIT,
    );
    const answers = JSON.stringify([
      await deliveries(url, json.name),
      (await send(`${url}api/deliveries/stats`)).body,
      await (await fetch(`${url}metrics`)).text(),
    ]);
    expect(answers).toContain('[secret]');
    expect(answers).not.toContain('hook-secret-3f9a');
    expect(collector?.logs().join('\n')).not.toContain('hook-secret-3f9a');
  });
});
