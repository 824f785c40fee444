import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, test } from 'vitest';
import { createCollector } from '../../collector/src/collector';
import {
  BIN,
  messages,
  minimalEvent,
  pgliteDataDir,
  send,
  startCollector,
  useTemporaryDirs,
} from '../helpers/collector';
import { forwardFile } from '../helpers/forward';
import { startTestDatabase } from '../helpers/postgres';

const dir = useTemporaryDirs();

const vote = { conversation_id: 'conv-lifecycle', sentiment: 'positive' };

/**
 * Sends `GET path` on a kept-alive `socket`; resolves with the answer's status and JSON body, or
 * status 0 once the socket is closed.
 */
function ask(socket: Socket, path: string): Promise<{ status: number; body?: unknown }> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve({ status: 0 });
    const closed = () => resolve({ status: 0 });
    socket.once('close', closed);
    let answer = '';
    const read = (chunk: Buffer) => {
      answer += chunk;
      const [head = '', body = ''] = answer.split('\r\n\r\n');
      const length = Number(/^content-length: (\d+)$/im.exec(head)?.[1]);
      if (Buffer.byteLength(body) < length) return;
      socket.off('data', read);
      socket.off('close', closed);
      resolve({ status: Number(head.split(' ')[1]), body: JSON.parse(body) });
    };
    socket.on('data', read);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  });
}

/**
 * Runs the collector to its end and resolves with its exit code, the messages it printed, and
 * everything it printed as it printed it.
 */
function runToExit(env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN], {
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  return new Promise<{ code: number | null; output: string; printed: string }>((resolve) => {
    child.once('exit', (code) =>
      resolve({ code, output: messages(output).join('\n'), printed: output }),
    );
  });
}

describe('one data directory, one collector', () => {
  test('a second collector on a PGlite directory in use refuses to start, naming DATA_DIR', async () => {
    const first = await startCollector({
      dataDir: pgliteDataDir(dir()),
      env: { RATE_LIMIT: '0' },
    });
    try {
      const posted = await send(`${first.origin}/api/sentiment`, { body: vote });
      expect(posted.status).toBe(201);
      const second = await runToExit({ DATA_DIR: first.dataDir });
      expect(second.code).toBe(1);
      expect(second.output.trim()).toBe(
        `\`DATA_DIR\` "${first.dataDir}" is in use by another collector (pid ${first.process.pid}); stop it, or give this one another DATA_DIR.`,
      );
      // The first one still holds every vote and takes more.
      const list = await send(`${first.origin}/api/feedback?conversation_id=conv-lifecycle`);
      expect(list.body.total).toBe(1);
    } finally {
      expect(await first.stop()).toBe(0);
    }
    const third = await startCollector({ dataDir: first.dataDir });
    try {
      const list = await send(`${third.origin}/api/feedback?conversation_id=conv-lifecycle`);
      expect(list.body.total).toBe(1);
    } finally {
      await third.stop();
    }
  }, 120_000);

  test('a lock left by a collector that was killed is taken over', async () => {
    const dataDir = pgliteDataDir(dir());
    const killed = await startCollector({ dataDir });
    killed.process.kill('SIGKILL');
    await new Promise((resolve) => killed.process.once('exit', resolve));
    expect(existsSync(join(dataDir, 'collector.lock'))).toBe(true);
    const next = await startCollector({ dataDir });
    expect(await next.stop()).toBe(0);
    expect(existsSync(join(dataDir, 'collector.lock'))).toBe(false);
  }, 120_000);

  test('a taken port fails before the database is opened', async () => {
    const first = await startCollector({ dataDir: pgliteDataDir(dir()) });
    try {
      const dataDir = dir();
      const port = new URL(first.origin).port;
      const second = await runToExit({ DATA_DIR: dataDir, PORT: port });
      expect([second.code, second.output.trim()]).toEqual([
        1,
        `\`PORT\` ${port} is already in use on 127.0.0.1.`,
      ]);
      expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(false);
    } finally {
      await first.stop();
    }
  }, 120_000);

  test('a data directory this user cannot write says so in one line', async () => {
    // root writes anywhere a mode allows; sysfs refuses even root a new directory. Anyone else
    // gets a directory without write permission.
    const asRoot = process.getuid?.() === 0;
    const readOnly = asRoot ? '/sys/feedback-widget-test' : dir();
    if (!asRoot) chmodSync(readOnly, 0o555);
    const result = await runToExit({ DATA_DIR: readOnly });
    expect(result.code).toBe(1);
    expect(result.output.trim()).toMatch(
      new RegExp(
        `^\`DATA_DIR\` "${readOnly}" (is not writable by this user|is on a read-only file system) \\((EACCES|EPERM|EROFS)\\)\\.$`,
      ),
    );
  }, 120_000);

  test('a data directory that is a file says so in one line', async () => {
    const file = join(dir(), 'votes');
    writeFileSync(file, '');
    const result = await runToExit({ DATA_DIR: file });
    expect([result.code, result.output.trim()]).toEqual([
      1,
      `\`DATA_DIR\` "${file}" is not a directory (EEXIST).`,
    ]);
  }, 120_000);
});

describe('shutdown', () => {
  test('`npm start` hands SIGTERM to the collector itself, which exits 0', async () => {
    // The script's part after the build, run by a shell as npm runs it; npm signals that shell.
    const { scripts } = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    );
    const serve = (scripts.start as string).replace(/^npm run build && /, '');
    const child = spawn('sh', ['-c', serve], {
      env: { ...process.env, PORT: '0', DATA_DIR: dir() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await expect.poll(() => output, { timeout: 60_000 }).toContain('Inbox:');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('SIGTERM: finishing requests in flight, then stopping.');
  }, 120_000);

  test('a body that never completes holds shutdown for REQUEST_TIMEOUT at most, and the collector exits 0', async () => {
    const collector = await startCollector({
      dataDir: pgliteDataDir(dir()),
      env: { REQUEST_TIMEOUT: '2' },
    });
    const { hostname, port } = new URL(collector.origin);
    const socket = connect(Number(port), hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      'POST /api/sentiment HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"con',
    );
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk;
    });
    const closed = new Promise((resolve) => socket.once('close', resolve));
    const acknowledged = await send(`${collector.origin}/api/sentiment`, { body: vote });
    expect(acknowledged.status).toBe(201);
    const exitCode = await collector.stop();
    await closed;
    expect(exitCode).toBe(0);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    const after = await startCollector({ dataDir: collector.dataDir });
    try {
      expect((await send(`${after.origin}/api/feedback/${acknowledged.body.id}`)).status).toBe(200);
    } finally {
      await after.stop();
    }
  }, 120_000);

  test('on SIGTERM /readyz answers 503 at once, and for SHUTDOWN_DELAY new connections are still served', async () => {
    const collector = await startCollector({
      dataDir: pgliteDataDir(dir()),
      source: true,
      env: { SHUTDOWN_DELAY: '2' },
    });
    const { hostname, port } = new URL(collector.origin);
    const open = async () => {
      const socket = connect(Number(port), hostname);
      // A refused connection closes: what is asked on it then answers status 0.
      socket.on('error', () => {});
      await new Promise((resolve) => {
        socket.once('connect', resolve);
        socket.once('close', resolve);
      });
      return socket;
    };
    const kept = await open();
    try {
      expect(await ask(kept, '/readyz')).toEqual({ status: 200, body: { status: 'ready' } });
      const exited = collector.stop();
      await expect
        .poll(async () => (await ask(kept, '/readyz')).status, { interval: 20 })
        .toBe(503);
      const fresh = await open();
      expect(await ask(fresh, '/readyz')).toEqual({
        status: 503,
        body: { status: 'unavailable', error: 'The collector is shutting down.' },
      });
      expect((await ask(fresh, '/healthz')).status).toBe(200);
      fresh.destroy();
      expect(await exited).toBe(0);
      expect(messages(collector.output())).toContain(
        'SIGTERM: /readyz answers 503; taking requests for SHUTDOWN_DELAY 2 s, then finishing those in flight and stopping.',
      );
    } finally {
      kept.destroy();
    }
  }, 120_000);

  test('a DATABASE_URL of another kind of database refuses to start, naming it', async () => {
    const result = await runToExit({ DATABASE_URL: 'mysql://feedback:s3cret@db.example/votes' });
    expect([result.code, result.output.trim()]).toEqual([
      1,
      '`DATABASE_URL` must be a PostgreSQL connection string, postgres://…: "mysql://…"',
    ]);
  }, 120_000);

  test('a PostgreSQL that cannot be reached stops start-up in one line naming DATABASE_URL, never its password', async () => {
    const result = await runToExit({
      DATABASE_URL: 'postgres://feedback:s3cret@127.0.0.1:1/votes',
    });
    expect([result.code, result.output.trim()]).toEqual([
      1,
      'The collector could not start: The PostgreSQL at DATABASE_URL (127.0.0.1:1/votes) could not be reached: connect ECONNREFUSED 127.0.0.1:1',
    ]);
    expect(result.printed.trim().split('\n')).toHaveLength(1);
    expect(result.printed).not.toContain('stack');
    expect(result.printed).not.toContain('s3cret');
  }, 120_000);

  test("a DATABASE_URL through a Unix socket, as the README's systemd unit writes it, is named by the socket's directory when it cannot be reached", async () => {
    const directory = join(dir(), 'no-server-here');
    const result = await runToExit({
      DATABASE_URL: `postgres://feedback:s3cret@/votes?host=${directory}`,
    });
    expect([result.code, result.output.trim()]).toEqual([
      1,
      `The collector could not start: The PostgreSQL at DATABASE_URL (the socket in ${directory}, database votes) could not be reached: connect ENOENT ${directory}/.s.PGSQL.5432`,
    ]);
    expect(result.printed).not.toContain('s3cret');
  }, 120_000);

  test('a DATABASE_URL role that does not own its database stops start-up saying how to give it the database', async () => {
    const database = await startTestDatabase();
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const role = `feedback_guest_${process.pid}`;
    try {
      await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'guest-s3cret'`);
      // As PostgreSQL 15 and later have it, whatever the version of the server the tests use.
      await admin.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
      const url = new URL(database.url);
      url.username = role;
      url.password = 'guest-s3cret';
      const name = url.pathname.slice(1);
      const result = await runToExit({ DATABASE_URL: url.href });
      expect([result.code, result.output.trim()]).toEqual([
        1,
        `The collector could not start: The role at DATABASE_URL (${url.host}/${name}) may not create or change the collector's tables (permission denied for schema public): make it the database's owner, with \`createdb -O ${role} ${name}\` for a new database or \`ALTER DATABASE ${name} OWNER TO ${role}\` for this one.`,
      ]);
      expect(result.printed).not.toContain('guest-s3cret');
    } finally {
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
      await database.stop();
    }
  }, 120_000);

  test('a HOST that does not resolve stops start-up in one line naming it, without a stack', async () => {
    const result = await runToExit({ DATA_DIR: dir(), HOST: 'bogus.invalid' });
    expect(result.code).toBe(1);
    expect(result.output.trim()).toMatch(
      /^`HOST` "bogus\.invalid" could not be resolved to an address \((ENOTFOUND|EAI_AGAIN)\)\.$/,
    );
    expect(result.printed).not.toContain('stack');
  }, 120_000);

  test('REQUEST_TIMEOUT that is not a whole number of seconds refuses to start', async () => {
    const result = await runToExit({ DATA_DIR: dir(), REQUEST_TIMEOUT: '2.5' });
    expect([result.code, result.output.trim()]).toEqual([
      1,
      '`REQUEST_TIMEOUT` must be a whole number from 1 to 3600: "2.5"',
    ]);
  }, 120_000);
});

describe('a bug no handler caught', () => {
  /** The bin's source, and a module loaded before it that plays a bug on SIGUSR2. */
  const SOURCE = new URL('../../collector/src/bin.ts', import.meta.url).pathname;
  const BUG = `process.on('SIGUSR2', () => {
  if (process.env.BUG === 'rejection') Promise.reject(new Error('simulated bug'));
  else setImmediate(() => { throw new Error('simulated bug'); });
});`;

  test.each([
    ['exception', 'Uncaught exception: the collector stops.'],
    ['rejection', 'Unhandled rejection: the collector stops.'],
  ])(
    'an uncaught %s is logged as one JSON line with its stack, and the collector exits 1',
    async (kind, message) => {
      const bug = join(dir(), 'bug.mjs');
      writeFileSync(bug, BUG);
      const child = spawn(process.execPath, ['--import', 'tsx', '--import', bug, SOURCE], {
        env: { ...process.env, PORT: '0', DATA_DIR: dir(), LOG_FORMAT: 'json', BUG: kind },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      let errors = '';
      child.stdout.on('data', (chunk) => {
        output += chunk;
      });
      child.stderr.on('data', (chunk) => {
        errors += chunk;
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      await expect.poll(() => output, { timeout: 60_000 }).toContain('feedback-widget collector:');
      child.kill('SIGUSR2');
      expect(await exited).toBe(1);
      const lines = output
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(lines.at(-1)).toMatchObject({
        level: 'error',
        msg: message,
        err: { type: 'Error', message: 'simulated bug', stack: expect.stringContaining('bug.mjs') },
      });
      expect(errors).toBe('');
    },
    120_000,
  );
});

describe('start-up', () => {
  test('under BASE_PATH the start-up lines give the URLs below it', async () => {
    const collector = await startCollector({ env: { BASE_PATH: '/feedback' } });
    try {
      const [first, inbox] = messages(collector.output());
      const base = collector.origin;
      expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/feedback$/);
      expect([first, inbox]).toEqual([
        `feedback-widget collector: ${base}/`,
        `Inbox: ${base}/dashboard`,
      ]);
      expect((await fetch(`${base}/dashboard`)).status).toBe(200);
    } finally {
      await collector.stop();
    }
  }, 120_000);

  test('a start-up line says where votes are forwarded and where their deliveries show', async () => {
    const file = forwardFile({
      destinations: [{ name: 'team', format: 'event', url: 'http://127.0.0.1:9/api/feedback' }],
    });
    const quiet = await startCollector();
    const forwarding = await startCollector({ env: { FORWARD_FILE: file } });
    try {
      expect(messages(quiet.output())).toContain(
        'Votes are forwarded nowhere: set FORWARD_FILE to send them to Langfuse or your own API.',
      );
      expect(messages(forwarding.output())).toContain(
        `Forwarding to the destinations in ${file}; how they fare: ${forwarding.origin}/dashboard?view=figures`,
      );
      const figures = await fetch(`${forwarding.origin}/dashboard?view=figures`);
      expect(figures.status).toBe(200);
    } finally {
      await Promise.all([quiet.stop(), forwarding.stop()]);
    }
  }, 120_000);

  test('--help says what each variable does in words, without the SPEC’s section numbers', () => {
    const help = execFileSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    expect(help).not.toMatch(/§/);
    expect(help).toMatch(/^ {2}FEEDBACK_SECRET +secrets vote tokens must be signed with/m);
    expect(help).toMatch(/^ {2}FORWARD_FILE +JSON file of the vendor APIs votes are forwarded to/m);
  });
});

describe('one server per collector', () => {
  const silent = { write() {} };

  test('a second listen() throws, and close() stops the one server', async () => {
    const collector = createCollector({
      dataDir: pgliteDataDir(dir()),
      logDestination: silent,
    });
    const { url } = await collector.listen({ port: 0 });
    await expect(collector.listen({ port: 0 })).rejects.toThrow(
      'The collector already listens: listen() starts its one server, once.',
    );
    await collector.close();
    await expect(fetch(`${url}healthz`)).rejects.toThrow();
  }, 60_000);

  test('listen() after close() throws, and opens nothing', async () => {
    const collector = createCollector({ dataDir: dir(), logDestination: silent });
    await collector.close();
    await expect(collector.listen({ port: 0 })).rejects.toThrow(
      'The collector is closed: create another one to listen again.',
    );
  });
});

describe('closing a collector mounted with fetch()', () => {
  const silent = { write() {} };
  const post = (id: string) =>
    new Request('http://collector.test/api/feedback', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(minimalEvent(id)),
    });

  test('close() lets fetch() calls in flight finish, and fetch() after it answers 503', async () => {
    // A migrated database: /readyz waits 5 s for one, and making one takes ~4 s of CPU.
    const dataDir = pgliteDataDir(dir());
    const collector = createCollector({ dataDir, logDestination: silent });
    expect((await collector.fetch(new Request('http://collector.test/readyz'))).status).toBe(200);
    const inFlight = ['closing-1', 'closing-2', 'closing-3'].map((id) => collector.fetch(post(id)));
    await collector.close();
    expect((await Promise.all(inFlight)).map((answer) => answer.status)).toEqual([201, 201, 201]);

    const after = await collector.fetch(post('closing-4'));
    expect(after.status).toBe(503);
    expect(after.headers.get('content-type')).toContain('application/json');
    expect(after.headers.get('x-request-id')).toBeTruthy();
    expect(await after.json()).toEqual({ error: 'The collector is closed.' });

    const reopened = createCollector({ dataDir, logDestination: silent });
    try {
      const read = await reopened.fetch(new Request('http://localhost/api/feedback'), {
        clientAddress: '127.0.0.1',
      });
      expect((await read.json()).total).toBe(3);
    } finally {
      await reopened.close();
    }
  }, 60_000);

  test('close() waits for a fetch() that never ends for REQUEST_TIMEOUT and a second at most', async () => {
    const lines: string[] = [];
    const collector = createCollector({
      dataDir: pgliteDataDir(dir()),
      requestTimeout: 1,
      logDestination: { write: (line) => lines.push(line) },
    });
    let body: ReadableStreamDefaultController<Uint8Array> | undefined;
    const stalled = collector.fetch(
      new Request('http://collector.test/api/feedback', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: new ReadableStream<Uint8Array>({
          start(controller) {
            body = controller;
            controller.enqueue(new TextEncoder().encode('{"id":'));
          },
        }),
        duplex: 'half',
      } as RequestInit),
    );
    const started = Date.now();
    await collector.close();
    expect(Date.now() - started).toBeLessThan(5_000);
    body?.error(new Error('the client went away'));
    await stalled;
  }, 60_000);
});
