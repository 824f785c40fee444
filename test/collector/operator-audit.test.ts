import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createCollector } from '../../collector/src/collector';
import { configFromEnv } from '../../collector/src/config';
import { BIN, useTemporaryDirs } from '../helpers/collector';
import { forwardFile } from '../helpers/forward';

const dir = useTemporaryDirs();

const DESTINATION = { name: 'events', format: 'event', url: 'http://127.0.0.1:9/api/feedback' };

/** What `createCollector` refuses to start with for this FORWARD_FILE, or that it started. */
function refusal(file: string): string {
  try {
    createCollector({ dataDir: dir(), forwardFile: file });
  } catch (problem) {
    return (problem as Error).message;
  }
  return 'the collector started';
}

/** Runs the compiled bin with `env` until it exits by itself; its code and what it printed. */
function runToExit(env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN], {
    env: { ...process.env, PORT: '0', DATA_DIR: dir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A collector stuck at start-up is not left behind by a failing test.
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  let printed = '';
  child.stdout.on('data', (chunk) => {
    printed += chunk;
  });
  child.stderr.on('data', (chunk) => {
    printed += chunk;
  });
  return new Promise<{ code: number | null; printed: string }>((resolve) => {
    child.once('exit', (code) => {
      process.off('exit', kill);
      resolve({ code, printed });
    });
  });
}

describe('a FORWARD_FILE that is not a small regular file', () => {
  test('a FIFO stops start-up at once, instead of waiting for a writer deaf to SIGTERM', async () => {
    const fifo = join(dir(), 'forward.json');
    execFileSync('mkfifo', [fifo]);
    const result = await runToExit({ FORWARD_FILE: fifo, LOG_FORMAT: 'text' });
    expect(result.code).toBe(1);
    expect(result.printed).toContain(
      `\`FORWARD_FILE\` ${fifo}: is not a regular file (a FIFO, socket or device)`,
    );
  });

  test('a device is refused, not read until the memory runs out', () => {
    expect(refusal('/dev/zero')).toBe(
      '`forwardFile` /dev/zero: is not a regular file (a FIFO, socket or device)',
    );
  });

  test('a file over 1 MiB is refused with its size, before it is read', () => {
    const file = join(dir(), 'forward.json');
    const padding = ' '.repeat(1024 * 1024);
    writeFileSync(file, `{"destinations": [${JSON.stringify(DESTINATION)}]}${padding}`);
    const size = 1024 * 1024 + `{"destinations": [${JSON.stringify(DESTINATION)}]}`.length;
    expect(refusal(file)).toBe(
      `\`forwardFile\` ${file}: is ${size} bytes; it may be 1048576 (1 MiB) at most`,
    );
  });

  test('a file of 1 MiB at most is taken', () => {
    const file = join(dir(), 'forward.json');
    const text = `{"destinations": [${JSON.stringify(DESTINATION)}]}`;
    writeFileSync(file, text.padEnd(1024 * 1024, ' '));
    expect(refusal(file)).toBe('the collector started');
  });

  test('a directory is named as one', () => {
    const directory = dir();
    expect(refusal(directory)).toBe(`\`forwardFile\` ${directory}: is a directory, not a file`);
  });
});

describe('FORWARD_FILE headers the collector sets itself', () => {
  test.each([
    'Content-Type',
    'content-length',
    'Idempotency-Key',
    'Transfer-Encoding',
    'Connection',
  ])(
    'a destination giving %s is refused, naming it, instead of having it dropped or breaking every delivery',
    (header) => {
      const file = forwardFile({
        destinations: [{ ...DESTINATION, headers: { [header]: 'chunked' } }],
      });
      expect(refusal(file)).toBe(
        `\`forwardFile\` ${file}: destination "events": \`headers.${header}\` is set by the collector itself on every request; remove it`,
      );
    },
  );

  test('an alert giving one is refused as well', () => {
    const alert = { name: 'comments', when: 'comment', format: 'json', url: DESTINATION.url };
    const file = forwardFile({
      alerts: [{ ...alert, headers: { 'Content-Type': 'text/plain' } }],
    });
    expect(refusal(file)).toBe(
      `\`forwardFile\` ${file}: alert "comments": \`headers.Content-Type\` is set by the collector itself on every request; remove it`,
    );
  });

  test('one header given twice in different cases is refused, since only one would be sent', () => {
    const file = forwardFile({
      destinations: [{ ...DESTINATION, headers: { 'X-Api-Key': 'first', 'x-api-key': 'second' } }],
    });
    expect(refusal(file)).toBe(
      `\`forwardFile\` ${file}: destination "events": \`headers.x-api-key\` is the same header as "X-Api-Key"`,
    );
  });

  test('other headers, Authorization among them, are taken', () => {
    const file = forwardFile({
      destinations: [{ ...DESTINATION, headers: { Authorization: 'Bearer k', 'X-Team': 'a' } }],
    });
    expect(refusal(file)).toBe('the collector started');
  });
});

describe('values with spaces at their ends', () => {
  test('a setting typed with a space after it is read as without', () => {
    const config = configFromEnv({
      ROLE: 'all ',
      HOST: ' 0.0.0.0',
      VOTE_WINDOW: '1h ',
      FORWARD_MAX_AGE: ' 2d',
      RETENTION: '30d ',
      BASE_PATH: '/feedback ',
      PUBLIC_URL: 'https://votes.example.com ',
      TRACE_URL: 'https://trace.example.com/{trace_id} ',
      LOG_LEVEL: 'warn ',
      LOG_FORMAT: ' text',
      PORT: ' 8080 ',
    });
    expect(config).toMatchObject({
      role: 'all',
      host: '0.0.0.0',
      voteWindowMs: 3_600_000,
      forwardMaxAgeMs: 2 * 86_400_000,
      retentionDays: 30,
      basePath: '/feedback',
      publicOrigin: 'https://votes.example.com',
      traceUrl: 'https://trace.example.com/{trace_id}',
      logLevel: 'warn',
      logFormat: 'text',
      port: 8080,
    });
  });

  test('a secret of spaces alone stops start-up: it is not taken as unset, which opens intake', () => {
    expect(() => configFromEnv({ FEEDBACK_SECRET: '   ' })).toThrow(
      '`FEEDBACK_SECRET` must be one or more comma-separated secrets of at least 32 characters',
    );
  });

  test('a token with a space at its end is refused, not trimmed', () => {
    expect(() => configFromEnv({ ADMIN_TOKEN: 'team-token-0123456789 ' })).toThrow(
      '`ADMIN_TOKEN` must be at least 16 characters with no spaces or colons',
    );
  });
});

describe('start-up refusals', () => {
  test('a bad variable is reported in the LOG_FORMAT asked for', async () => {
    const result = await runToExit({ PORT: 'eighty', LOG_FORMAT: 'text' });
    expect(result.code).toBe(1);
    const lines = result.printed.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\] ERROR: `PORT` must be a whole number: "eighty"$/);
  });

  test.each(['DATA_DIR', 'FORWARD_FILE'])(
    'a %s of spaces alone is refused, not taken as a path named by spaces',
    async (variable) => {
      const result = await runToExit({ [variable]: '   ', LOG_FORMAT: 'text' });
      expect(result.code).toBe(1);
      expect(result.printed.trim()).toMatch(
        new RegExp(`ERROR: \`${variable}\` is only spaces: leave it empty for the default$`),
      );
    },
  );

  test('a bad LOG_FORMAT itself is reported in the default format, naming it', async () => {
    const result = await runToExit({ LOG_FORMAT: 'yaml' });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.printed.trim())).toMatchObject({
      level: 'error',
      msg: '`LOG_FORMAT` must be one of json, text: "yaml"',
    });
  });
});
