import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createCollector } from '../../collector/src/collector';
import { signFeedbackToken } from '../../collector/src/token';
import {
  type Backend,
  BIN,
  type Collector,
  messages,
  minimalEvent,
  send,
  useStorage,
  useTemporaryDirs,
} from '../helpers/collector';
import { useFakeVendor, VENDOR_ENV } from '../helpers/fake-vendor';
import { forwardFile } from '../helpers/forward';

/**
 * The README's collector examples, read out of README.md and run as a newcomer would paste them,
 * so that the page and the collector cannot drift apart.
 */
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The README from `start` (a heading or a sentence) to the next heading of any level. */
function part(start: string): string {
  const at = README.indexOf(start);
  if (at < 0) throw new Error(`README.md has no "${start}".`);
  const rest = README.slice(at + start.length);
  const end = rest.search(/\n#{1,4} /);
  return end < 0 ? rest : rest.slice(0, end);
}

/** The first code block of `language` in `text`. */
function block(text: string, language: string): string {
  const code = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(text)?.[1];
  if (code === undefined) throw new Error(`No ${language} block in the README part.`);
  return code;
}

/** What the README quotes, its line breaks read as the spaces they stand for. */
function quoted(pattern: RegExp, text: string): string[] {
  const found = pattern.exec(text.replace(/\s+/g, ' '));
  if (!found) throw new Error(`The README no longer says ${pattern}.`);
  return found.slice(1);
}

const ADMIN_TOKEN = 'readme-admin-token-0123456789abcdef';
const dirs = useTemporaryDirs();

test('the variable table lists every variable `feedback-collector --help` lists, and no other', () => {
  const help = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' }).stdout;
  const listed = [...help.matchAll(/^ {2}([A-Z_]+) /gm)].map((found) => found[1]).sort();
  const table = [...part('## The collector').matchAll(/^\| `([A-Z_]+)` \| /gm)]
    .map((found) => found[1])
    .sort();
  expect(listed.length).toBeGreaterThan(20);
  expect(table).toEqual(listed);
});

test('a bad FORWARD_FILE stops the collector with the line the README shows', () => {
  const line = block(part('A bad file stops the collector'), 'text').trim();
  const dir = dirs();
  writeFileSync(
    join(dir, 'forward.json'),
    JSON.stringify({ destinations: [{ name: 'bots', format: 'bogus', url: 'https://x.test/' }] }),
  );
  const run = spawnSync(process.execPath, [BIN], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PORT: '0', DATA_DIR: join(dir, 'data'), FORWARD_FILE: 'forward.json' },
  });
  expect(run.status).toBe(1);
  expect(messages(run.stdout + run.stderr)).toEqual([line]);
});

test('the alerts example is a FORWARD_FILE the collector takes', () => {
  const file = forwardFile(block(part('### Alerts'), 'json'));
  expect(() =>
    createCollector({ forwardFile: file, env: { SLACK_HOOK: 'T0/B0/x' } }),
  ).not.toThrow();
  expect(() => createCollector({ forwardFile: file, env: {} })).toThrow(/SLACK_HOOK/);
});

describe.each<Backend>(['pglite', 'postgres'])('the README on %s', (backend) => {
  const storage = useStorage(backend);
  const vendor = useFakeVendor();
  let collector: Collector;
  const api = (path: string) => `${collector.url}api/${path}`;
  const team = { Authorization: `Bearer ${ADMIN_TOKEN}` };

  beforeAll(async () => {
    // The ready-made destinations as printed, each vendor's host replaced by the fake vendor.
    const destinations = block(part('Ready-made destinations'), 'json').replace(
      /https:\/\/[^/"]+/g,
      vendor.origin,
    );
    collector = await storage.start({
      forwardFile: forwardFile(destinations),
      env: VENDOR_ENV,
      adminToken: ADMIN_TOKEN,
    });
  });

  afterAll(async () => {
    await collector?.close();
  });

  /** Waits until every destination shows `delivered` deliveries, none pending or failed. */
  async function delivered(count: number) {
    await vi.waitFor(
      async () => {
        const { body } = await send(api('deliveries/stats'), { headers: team });
        expect(body.destinations.length).toBe(5);
        for (const entry of body.destinations) {
          expect(entry).toMatchObject({ delivered: count, pending: 0, failed: 0 });
        }
      },
      { timeout: 30_000, interval: 50 },
    );
  }

  test('the ready-made destinations take a vote to each vendor, as its API documents it', async () => {
    const vote = minimalEvent(`${backend}-everywhere`, {
      rating: 'down',
      sentiment: 'negative',
      value: 0,
      conversation_id: 'conv-123',
      message_id: 'm-42',
      session_id: 'sess-9',
      trace_id: 'trace-1',
      message_content: 'Open Settings, then Security.',
      reason: 'Incorrect',
      reason_key: 'incorrect',
      comment: 'The link is broken',
    });
    expect((await send(api('feedback'), { body: vote })).status).toBe(201);
    // The fake vendor answers 401 to a wrong Authorization and 400 to a body its API refuses.
    await delivered(1);
    expect(vendor.requests.map((request) => request.path).sort()).toEqual([
      '/api/public/scores',
      '/v1/Assistants/aia_asst_%E2%80%A6/Feedbacks',
      '/v1/conversation/conv-123/downvote',
      '/v1/feedback',
      '/v1/messages/feedback',
    ]);
  });

  test('the redaction example is stored and forwarded as the README says', async () => {
    const [typed, stored] = quoted(
      /"(call me at [^"]+)" is stored, shown and forwarded as "([^"]+)"/,
      part('## Privacy'),
    );
    const answer = await send(api('sentiment'), {
      body: { conversation_id: `${backend}-redact`, sentiment: 'negative', comment: typed },
    });
    expect(answer.status).toBe(201);
    expect((await send(api(`feedback/${answer.body.id}`), { headers: team })).body.comment).toBe(
      stored,
    );
    const forwarded = await vi.waitFor(
      () => {
        const found = vendor.requests.find(
          (request) => request.body.conversation_id === `${backend}-redact`,
        );
        if (!found) throw new Error('not forwarded yet');
        return found;
      },
      { timeout: 30_000, interval: 50 },
    );
    expect(forwarded).toMatchObject({
      path: '/v1/feedback',
      body: { conversation_id: `${backend}-redact`, sentiment: 'negative', comment: stored },
    });
  });

  test("the triage examples' requests change what they say, acting as maria", async () => {
    const [resolve, assign] = [
      ...block(part('### Triage, search and export'), 'sh').matchAll(/-d '([^']+)'/g),
    ].map((found) => JSON.parse(found[1] as string));
    const basic = { Authorization: `Basic ${btoa(`maria:${ADMIN_TOKEN}`)}` };
    const stored = (id: string, overrides: Record<string, unknown>) =>
      send(api('feedback'), { body: minimalEvent(id, overrides), headers: team });
    expect((await stored(`${backend}-fixed`, {})).status).toBe(201);
    const patched = await send(api(`feedback/${backend}-fixed`), {
      method: 'PATCH',
      body: resolve,
      headers: basic,
    });
    expect(patched.status).toBe(200);
    expect(patched.body.status).toBe('resolved');
    expect(patched.body.activity.map((entry: { actor: string }) => entry.actor)).toEqual([
      'maria',
      'maria',
    ]);
    const billing = {
      rating: 'down',
      sentiment: 'negative',
      value: 0,
      page_url: 'https://help.example.com/billing/refunds',
    };
    expect((await stored(`${backend}-billing`, billing)).status).toBe(201);
    expect(await send(api('feedback/bulk'), { body: assign, headers: basic })).toMatchObject({
      status: 200,
      body: { updated: 1 },
    });
    expect((await send(api(`feedback/${backend}-billing`), { headers: team })).body.assignee).toBe(
      'maria',
    );
  });

  test('a vote from the element the token example shows is stored under the token', async () => {
    const example = block(part('Minting tokens in Node'), 'js');
    const claimed = [
      ...(/signFeedbackToken\(\s*\{([^}]+)\}/.exec(example)?.[1] ?? '').matchAll(/(\w+):/g),
    ].map((found) => found[1] as string);
    const element = /<div data-feedback ([^>]+)>/.exec(example)?.[1] ?? '';
    const given = [...element.matchAll(/data-([a-z-]+)-id=/g)].map(
      (found) => `${(found[1] as string).replace(/-/g, '_')}_id`,
    );
    // The user id comes from the token alone; every other id it binds must be on the element.
    expect(claimed).toContain('user_id');
    expect(claimed.filter((claim) => claim !== 'user_id').sort()).toEqual(given.sort());
    const secret = 'readme-feedback-secret-0123456789abcdef';
    const ids = Object.fromEntries(given.map((claim) => [claim, `${backend}-${claim}`]));
    const token = await signFeedbackToken({ ...ids, user_id: 'u-signed' }, secret, {
      expiresIn: '7d',
    });
    const signed = await storage.start({ feedbackSecret: secret });
    try {
      const vote = minimalEvent(`${backend}-signed`, ids);
      const headers = { Authorization: `Bearer ${token}` };
      expect((await send(`${signed.url}api/feedback`, { body: vote, headers })).status).toBe(201);
      expect((await send(`${signed.url}api/feedback/${backend}-signed`)).body.user_id).toBe(
        'u-signed',
      );
    } finally {
      await signed.close();
    }
  });

  test("the systemd unit's settings take votes from the site's pages, and only with ALLOWED_ORIGINS", async () => {
    const unit = block(part('### Deploying it'), 'ini');
    const environment = Object.fromEntries(
      [...unit.matchAll(/^Environment=(.+)$/gm)].flatMap((found) =>
        (found[1] as string).split(' ').map((pair) => pair.split('=', 2)),
      ),
    );
    const site = quoted(
      /every vote from `([^`]+)` is refused with 403 naming `Origin`/,
      part('### Deploying it'),
    )[0] as string;
    const settings = {
      publicUrl: environment.PUBLIC_URL,
      trustProxy: Number(environment.TRUST_PROXY),
    };
    const vote = { conversation_id: `${backend}-site`, sentiment: 'positive' };
    const headers = { Origin: site };
    for (const [allowedOrigins, status] of [
      [environment.ALLOWED_ORIGINS, 201],
      [undefined, 403],
    ] as const) {
      const deployed = await storage.start({ ...settings, allowedOrigins });
      try {
        const answer = await send(`${deployed.url}api/sentiment`, { body: vote, headers });
        expect(answer.status).toBe(status);
        if (status === 403) expect(answer.body.field).toBe('Origin');
      } finally {
        await deployed.close();
      }
    }
  });

  test("a bad search term is answered with the README's words", async () => {
    const [error] = quoted(
      /e\.g\. ``"(`q` has a bad value in `rating:great`: [^"]+)"``/,
      part('#### Search'),
    );
    expect(await send(api('feedback?q=rating:great'), { headers: team })).toMatchObject({
      status: 400,
      body: { error, field: 'q' },
    });
  });

  test("the erasure example erases a person's votes and answers how many", async () => {
    const [query] = quoted(
      /"https:\/\/votes\.example\.com\/api\/feedback\?(user_id=[^"]+)"/,
      part('**Erasure**'),
    );
    for (const id of ['erase-1', 'erase-2']) {
      const vote = minimalEvent(`${backend}-${id}`, { user_id: 'u-7' });
      expect((await send(api('feedback'), { body: vote })).status).toBe(201);
    }
    expect(await send(api(`feedback?${query}`), { method: 'DELETE', headers: team })).toMatchObject(
      { status: 200, body: { deleted: 2 } },
    );
    expect(
      await send(api(`feedback?${query}&session_id=s-1`), { method: 'DELETE', headers: team }),
    ).toMatchObject({ status: 400 });
  });
});
