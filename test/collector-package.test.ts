// @vitest-environment node
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages, minimalEvent, send } from './helpers/collector';
import { type FakeVendor, startFakeVendor } from './helpers/fake-vendor';
import { secret } from './helpers/forward';
import { startTestDatabase } from './helpers/postgres';

/**
 * The collector as npm ships it (SPEC §14): both packages packed, installed from the tarballs
 * into a fresh project, and run there with `npx feedback-collector` and as the README mounts it.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
let project: string;
let collectorTarball: string;

function run(command: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync(command, args, {
    cwd: project,
    encoding: 'utf8',
    stdio: 'pipe',
    env: { ...process.env, ...env },
  });
}

/** The code block the README marks with `<!-- example: NAME -->`, written into the project. */
function readmeExample(name: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const code = new RegExp(`<!-- example: ${name} -->\\n\`\`\`js\\n([\\s\\S]*?)\`\`\``).exec(
    readme,
  )?.[1];
  if (code === undefined) throw new Error(`README.md has no example ${name}.`);
  writeFileSync(join(project, name), code);
  return code;
}

interface Running {
  child: ChildProcess;
  output: () => string;
  stop(): Promise<number | null>;
}

/** Starts a command in the project and resolves once its output matches `ready`. */
function start(args: string[], env: Record<string, string>, ready: RegExp): Promise<Running> {
  const child = spawn(args[0] as string, args.slice(1), {
    cwd: project,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk;
      if (ready.test(output)) {
        resolve({
          child,
          output: () => output,
          stop() {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    exited.then((code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
}

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'feedback-collector-consumer-'));
  execFileSync('npm', ['pack', '--pack-destination', project, '--silent'], { cwd: ROOT });
  execFileSync('npm', ['pack', '-w', 'collector', '--pack-destination', project, '--silent'], {
    cwd: ROOT,
  });
  const tarballs = readdirSync(project).filter((name) => name.endsWith('.tgz'));
  collectorTarball = tarballs.find((name) => name.includes('collector')) as string;
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  run('npm', [
    'install',
    '--no-audit',
    '--no-fund',
    '--prefer-offline',
    ...tarballs.map((name) => `./${name}`),
    'express@5',
    // What a TypeScript project beside it has: its optional peer dependency.
    '@types/node',
  ]);
}, 300_000);

afterAll(() => {
  rmSync(project, { recursive: true, force: true });
});

describe('the packed collector', () => {
  it('ships compiled JavaScript, its migrations, the widget and the changelog, and no sources or tests', () => {
    const files = run('tar', ['-tzf', collectorTarball])
      .split('\n')
      .filter(Boolean)
      .map((file) => file.replace(/-[\w-]{8}\.(js|css|svg)$/, '-HASH.$1'))
      .sort();

    expect(files.filter((file) => /\.(ts|tsx)$/.test(file) && !file.endsWith('.d.ts'))).toEqual([]);
    expect(files).toEqual(
      expect.arrayContaining([
        'package/bin/feedback-collector.js',
        'package/dist/bin.js',
        'package/dist/index.js',
        'package/dist/index.d.ts',
        'package/dist/public/dashboard.html',
        'package/dist/public/feedback-widget.js',
        'package/migrations/001_feedback.sql',
        'package/package.json',
        'package/README.md',
        'package/CHANGELOG.md',
        'package/LICENSE',
      ]),
    );
    const manifest = JSON.parse(
      readFileSync(join(project, 'node_modules/feedback-widget-collector/package.json'), 'utf8'),
    );
    expect(Object.keys(manifest.dependencies)).not.toContain('tsx');
    expect(Object.keys(manifest.dependencies)).not.toContain('typescript');
    // The repository's, as of the last build (which copied it).
    expect(
      readFileSync(join(project, 'node_modules/feedback-widget-collector/CHANGELOG.md'), 'utf8'),
    ).toMatch(/^# Changelog\n[\s\S]*`feedback-widget-collector`[\s\S]*## \[Unreleased\]/);
  });

  it('can be required from CommonJS', () => {
    writeFileSync(
      join(project, 'require.cjs'),
      `const { createCollector, toNodeListener } = require('feedback-widget-collector');
console.log(JSON.stringify([typeof createCollector, typeof toNodeListener]));
`,
    );
    expect(JSON.parse(run(process.execPath, ['require.cjs']))).toEqual(['function', 'function']);
  });

  it('type-checks in a TypeScript project whose `types` leaves Node out, showing no internal option', () => {
    writeFileSync(
      join(project, 'server.ts'),
      `import { createServer } from 'node:http';
import {
  type CollectorOptions,
  createCollector,
  type Redaction,
  toNodeListener,
} from 'feedback-widget-collector';

const redact: Redaction[] = ['email', 'card'];
const options: CollectorOptions = { basePath: '/feedback', redact, trustProxy: 1 };
const collector = createCollector({ ...options, logDestination: { write: () => {} } });
createServer(toNodeListener(collector)).listen(0);
// @ts-expect-error only the repository's bench turns durability off
createCollector({ durable: false });
export const handle = (request: Request): Promise<Response> => collector.fetch(request);
`,
    );
    for (const moduleResolution of ['nodenext', 'bundler']) {
      writeFileSync(
        join(project, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            module: moduleResolution === 'nodenext' ? 'nodenext' : 'esnext',
            moduleResolution,
            lib: ['ES2022', 'DOM'],
            strict: true,
            skipLibCheck: false,
            noEmit: true,
            types: [],
          },
          files: ['server.ts'],
        }),
      );
      let errors = '';
      try {
        run(process.execPath, [TSC, '-p', 'tsconfig.json']);
      } catch (failure) {
        errors = String((failure as { stdout?: string }).stdout ?? failure);
      }
      expect(errors).toBe('');
    }
  });

  it('prints its version and lists every variable in --help', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'collector/package.json'), 'utf8'));
    expect(run('npx', ['feedback-collector', '--version']).trim()).toBe(version);
    const help = run('npx', ['feedback-collector', '--help']);
    for (const variable of ['PORT', 'DATABASE_URL', 'ROLE', 'FEEDBACK_SECRET', 'LOG_FORMAT']) {
      expect(help).toContain(variable);
    }
  });

  describe('feedback-collector, the bin npx runs', () => {
    let vendor: FakeVendor;
    let collector: Running;
    let origin: string;

    beforeAll(async () => {
      vendor = await startFakeVendor();
      const forward = join(project, 'forward.json');
      writeFileSync(
        forward,
        JSON.stringify({
          destinations: [
            {
              name: 'events',
              format: 'event',
              url: `${vendor.origin}/api/feedback`,
              headers: { Authorization: `Bearer ${secret('EVENT_API_KEY')}` },
            },
          ],
        }),
      );
      // The bin npx runs, started directly: npx would not pass a SIGTERM on to it.
      collector = await start(
        [join(project, 'node_modules/.bin/feedback-collector')],
        {
          PORT: '0',
          DATA_DIR: join(project, 'data'),
          FORWARD_FILE: forward,
          EVENT_API_KEY: 'event-key',
        },
        /feedback-widget collector: (http:\/\/[^\s"]+)\//,
      );
      origin = /feedback-widget collector: (http:\/\/[^\s"]+)\//.exec(
        collector.output(),
      )?.[1] as string;
    }, 60_000);

    afterAll(async () => {
      expect(await collector.stop()).toBe(0);
      expect(messages(collector.output())).toContain(
        'SIGTERM: finishing requests in flight, then stopping.',
      );
      await vendor.close();
    });

    it('logs JSON lines from the start', () => {
      const lines = collector.output().split('\n').filter(Boolean);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    });

    it('is alive and ready', async () => {
      expect((await send(`${origin}/healthz`)).body).toEqual({ status: 'ok' });
      expect((await send(`${origin}/readyz`)).body).toEqual({ status: 'ready' });
    });

    it('stores a vote and forwards it to the vendor', async () => {
      const posted = await send(`${origin}/api/feedback`, { body: minimalEvent('packed-1') });
      expect(posted.status).toBe(201);
      expect((await send(`${origin}/api/feedback/packed-1`)).body.id).toBe('packed-1');
      const [delivered] = await vendor.waitFor(1);
      expect(delivered?.body).toMatchObject({ id: 'packed-1', rating: 'up' });
    });

    it('serves the widget script it was built with', async () => {
      const response = await fetch(`${origin}/feedback-widget.js`);
      expect(await response.text()).toBe(
        readFileSync(join(ROOT, 'dist/feedback-widget.js'), 'utf8'),
      );
    });

    it('serves the inbox', async () => {
      const response = await fetch(`${origin}/dashboard`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('<script type="module"');
    });
  });

  it("runs the README's Express example under /feedback", async () => {
    readmeExample('express-app.mjs');
    const app = await start(
      [process.execPath, 'express-app.mjs'],
      { PORT: '0', DATA_DIR: join(project, 'express-data') },
      /listening on (\d+)/,
    );
    try {
      const port = /listening on (\d+)/.exec(app.output())?.[1];
      const base = `http://127.0.0.1:${port}`;
      expect(await (await fetch(`${base}/`)).text()).toBe('my app');
      const posted = await send(`${base}/feedback/api/feedback`, {
        body: minimalEvent('express-1'),
      });
      expect(posted.status).toBe(201);
      // Loopback without ADMIN_TOKEN: the client's address came through the adapter.
      const read = await send(`${base}/feedback/api/feedback/express-1`);
      expect([read.status, read.body.id]).toEqual([200, 'express-1']);
      expect((await fetch(`${base}/api/feedback`)).status).toBe(404);
    } finally {
      expect(await app.stop()).toBe(0);
    }
  }, 60_000);

  it("keeps the collector out of Next's bundle in the README's next.config.mjs", async () => {
    readmeExample('next.config.mjs');
    const config = await import(join(project, 'next.config.mjs'));
    expect(config.default.serverExternalPackages).toContain('feedback-widget-collector');
  });

  it("runs the README's Next.js route handler as Next calls it, each visitor a client of their own", async () => {
    readmeExample('next-route.mjs');
    // `next build` imports the route without the server's environment.
    expect(
      run(process.execPath, ['--input-type=module', '-e', "await import('./next-route.mjs')"], {
        DATABASE_URL: '',
      }),
    ).toBe('');
    // What Next's file tracing copies of the package into `output: 'standalone'`: its manifest
    // and `dist/`, not its `migrations/`.
    const traced = join(project, 'standalone');
    const tracedPackage = join(traced, 'node_modules/feedback-widget-collector');
    mkdirSync(tracedPackage, { recursive: true });
    const installed = join(project, 'node_modules/feedback-widget-collector');
    copyFileSync(join(installed, 'package.json'), join(tracedPackage, 'package.json'));
    cpSync(join(installed, 'dist'), join(tracedPackage, 'dist'), { recursive: true });
    copyFileSync(join(project, 'next-route.mjs'), join(traced, 'next-route.mjs'));
    const database = await startTestDatabase();
    const script = `
      const route = await import('./next-route.mjs');
      const base = 'https://app.example.com/feedback';
      const vote = ${JSON.stringify(minimalEvent('next-1'))};
      const posted = await route.POST(new Request(base + '/api/feedback', {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(vote),
      }));
      const anonymous = await route.GET(new Request(base + '/api/feedback/next-1'));
      const team = await route.GET(new Request(base + '/api/feedback/next-1', {
        headers: { Authorization: 'Bearer ' + process.env.ADMIN_TOKEN },
      }));
      // Vercel puts the visitor's address in X-Forwarded-For.
      const upvote = (address) => route.POST(new Request(base + '/api/conversations/conv-1/upvote', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': address },
        body: '{}',
      }));
      for (const address of ['203.0.113.1', '203.0.113.2', '203.0.113.1']) await upvote(address);
      const upvotes = await route.GET(new Request(base + '/api/feedback?conversation_id=conv-1', {
        headers: { Authorization: 'Bearer ' + process.env.ADMIN_TOKEN },
      }));
      const served = await Promise.all(['/readyz', '/feedback-widget.js', '/dashboard'].map((path) =>
        route.GET(new Request(base + path, {
          headers: { Authorization: 'Bearer ' + process.env.ADMIN_TOKEN },
        })).then((answer) => answer.status),
      ));
      console.log(JSON.stringify([
        posted.status, anonymous.status, team.status, (await team.json()).id, (await upvotes.json()).total,
        served,
      ]));
      process.exit(0);
    `;
    let output: string;
    try {
      output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: traced,
        encoding: 'utf8',
        stdio: 'pipe',
        env: { ...process.env, DATABASE_URL: database.url, ADMIN_TOKEN: 'a'.repeat(32) },
      });
    } finally {
      await database.stop();
    }
    // The script's own line, among the collector's JSON log lines.
    const result = output.split('\n').find((line) => line.startsWith('['));
    // Two visitors upvoted conv-1, one of them twice: a vote each, within the vote window.
    expect(JSON.parse(result as string)).toEqual([201, 401, 200, 'next-1', 2, [200, 200, 200]]);
  }, 60_000);
});
