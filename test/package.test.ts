// @vitest-environment node
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestContext, widgetControls } from './helpers/browser';
import { useBrowserAndServer } from './helpers/browser-suite';
import type { RecordingServer } from './helpers/recording-server';

/**
 * The package as npm ships it: `npm pack`, installed from the tarball into a fresh project
 * (its dependencies from the npm cache), used there as a consumer would.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
let project: string;

/** A file of the consumer project. */
function write(path: string, text: string) {
  mkdirSync(join(project, path, '..'), { recursive: true });
  writeFileSync(join(project, path), text);
}

function run(command: string, args: string[]): string {
  return execFileSync(command, args, { cwd: project, encoding: 'utf8', stdio: 'pipe' });
}

/** What `tsc` says about the project under `moduleResolution`, with the libraries checked too. */
function typeCheck(moduleResolution: 'nodenext' | 'bundler'): string {
  write(
    `tsconfig.${moduleResolution}.json`,
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: moduleResolution === 'nodenext' ? 'nodenext' : 'esnext',
        moduleResolution,
        lib: ['ES2022', 'DOM', 'DOM.Iterable'],
        jsx: 'react-jsx',
        strict: true,
        skipLibCheck: false,
        noEmit: true,
        types: [],
      },
      files: ['src/consumer.ts', 'src/app.tsx', 'src/server.ts'],
    }),
  );
  try {
    return run(process.execPath, [TSC, '-p', `tsconfig.${moduleResolution}.json`]);
  } catch (failure) {
    const { stdout, stderr } = failure as { stdout?: string; stderr?: string };
    return `${stdout ?? ''}${stderr ?? ''}` || String(failure);
  }
}

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'feedback-widget-consumer-'));
  execFileSync('npm', ['pack', '--pack-destination', project, '--silent'], { cwd: ROOT });
  const [tarball] = readdirSync(project).filter((name) => name.endsWith('.tgz'));
  write('package.json', JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  run('npm', [
    'install',
    '--no-audit',
    '--no-fund',
    '--prefer-offline',
    `./${tarball}`,
    // The consumer's own copies, which the package must share rather than nest its own.
    'ky@1',
    'preact@11',
    'react@19',
    'react-dom@19',
    '@types/react@19',
    '@types/react-dom@19',
  ]);
  // README "Use it with TypeScript": options, events and the element are typed.
  write(
    'src/consumer.ts',
    `import { type FeedbackEvent, type FeedbackHandle, mount } from 'feedback-widget';

const widget: FeedbackHandle = mount(document.createElement('div'), {
  endpoint: '/api/feedback',
  messageId: 'm-42',
  reasons: ['Wrong', 'Too long'],
});
widget.update({ thanks: 'Merci !' });
// @ts-expect-error a misspelled option is an error
mount(document.body, { endpiont: '/api/feedback' });
// @ts-expect-error so is a value an option does not take
mount(document.body, { endpoint: '/api/feedback', format: 'bogus' });
// @ts-expect-error the endpoint is a URL's text
mount(document.body, { endpoint: 42 });
mount(document.body, { endpoint: '/api/feedback', messageId: 42, neutral: true, sentAt: new Date() });
// The script tag's global.
window.FeedbackWidget?.mount(document.body, { endpoint: '/api/feedback', format: 'vote' });

document.addEventListener('feedback:vote', (e) => {
  const rating: 'up' | 'down' | 'neutral' = e.detail.rating;
  console.log(rating);
});
document.addEventListener('feedback:error', (e) => console.log(e.detail.willRetry));
const element = document.createElement('feedback-widget');
element.addEventListener('feedback:sent', (e) => console.log(e.detail.status));
export const first: FeedbackEvent | undefined = undefined;
`,
  );
  // README "Use it with React".
  write(
    'src/app.tsx',
    `import { Feedback } from 'feedback-widget/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

function Answer({ id, text }: { id: string; text: string }) {
  return (
    <article>
      <p>{text}</p>
      <Feedback
        endpoint="/api/feedback"
        messageId={id}
        messageContent={text}
        onVote={(e) => console.log('vote', e.detail.rating)}
        onSent={(e) => console.log('sent', e.detail.status)}
      />
    </article>
  );
}

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <Answer id="m-1" text="An answer." />
  </StrictMode>,
);
`,
  );
  // README "Securing it": the backend mints a token per answer.
  write(
    'src/server.ts',
    `import { signFeedbackToken, verifyFeedbackToken } from 'feedback-widget/token';

const secret = 's'.repeat(32);
const token: string = await signFeedbackToken(
  { conversation_id: 'c-1', user_id: 'u-1' },
  secret,
  { expiresIn: '1h' },
);
// @ts-expect-error claims are the four of SPEC §10
await signFeedbackToken({ conversation: 'c-1' }, secret);
const claims = await verifyFeedbackToken(token, ['o'.repeat(32), secret]);
const refused = await verifyFeedbackToken(token, 'x'.repeat(32)).catch((e: Error) => e.message);
const lifetime: number = claims.exp - (claims.iat ?? 0);
console.log(JSON.stringify({ user: claims.user_id, lifetime, refused }));
`,
  );
  write(
    'index.html',
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>App</title></head>' +
      '<body><div id="root"></div><script type="module" src="/src/app.tsx"></script></body></html>',
  );
}, 300_000);

afterAll(() => {
  rmSync(project, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('type-checks in a consumer project under moduleResolution nodenext', () => {
    expect(typeCheck('nodenext')).toBe('');
  });

  it('type-checks in a consumer project under moduleResolution bundler', () => {
    expect(typeCheck('bundler')).toBe('');
  });

  it('imports in plain Node with no DOM, and its React component renders on the server', () => {
    const script = `
      const api = await import('feedback-widget');
      const { Feedback } = await import('feedback-widget/react');
      const { createElement } = await import('react');
      const { renderToString } = await import('react-dom/server');
      console.log(Object.keys(api).sort().join(','));
      console.log(renderToString(createElement(Feedback, { endpoint: '/api/feedback', messageId: 'm-1' })));
    `;

    const [exports, markup] = run(process.execPath, ['--input-type=module', '-e', script]).split(
      '\n',
    );

    expect(exports).toBe(
      'ConfigError,DeliveryError,Feedback,FeedbackWidgetElement,defineElement,flush,mount,scan',
    );
    expect(markup).toBe('<div></div>');
  });

  it('can be required from CommonJS', () => {
    write(
      'require.cjs',
      `const api = require('feedback-widget');
const { Feedback } = require('feedback-widget/react');
const { signFeedbackToken } = require('feedback-widget/token');
console.log(JSON.stringify([typeof api.mount, typeof Feedback, typeof signFeedbackToken]));
`,
    );

    expect(JSON.parse(run(process.execPath, ['require.cjs']))).toEqual([
      'function',
      'function',
      'function',
    ]);
  });

  it('mints and verifies feedback tokens with feedback-widget/token in plain Node', () => {
    const script = `
      const { signFeedbackToken, verifyFeedbackToken } = await import('feedback-widget/token');
      const secret = 's'.repeat(32);
      const token = await signFeedbackToken({ conversation_id: 'c-1', user_id: 'u-1' }, secret, { expiresIn: '1h' });
      const claims = await verifyFeedbackToken(token, ['o'.repeat(32), secret]);
      const refused = await verifyFeedbackToken(token, 'x'.repeat(32)).catch((e) => e.message);
      console.log(JSON.stringify({ user: claims.user_id, lifetime: claims.exp - claims.iat, refused }));
    `;

    expect(JSON.parse(run(process.execPath, ['--input-type=module', '-e', script]))).toEqual({
      user: 'u-1',
      lifetime: 3600,
      refused: 'The feedback token is not signed by this server.',
    });
  });

  it("shares the consumer's ky and preact instead of installing copies of its own", () => {
    const nested = join(project, 'node_modules/feedback-widget/node_modules');

    expect(() => readdirSync(nested)).toThrow(/ENOENT/);
  });

  it('ships its licence, changelog and declarations, and no sources or tests', () => {
    const files = run('tar', [
      '-tzf',
      readdirSync(project).find((n) => n.endsWith('.tgz')) as string,
    ])
      .split('\n')
      .filter(Boolean)
      .sort();

    expect(files).toEqual([
      'package/CHANGELOG.md',
      'package/LICENSE',
      'package/README.md',
      'package/dist/feedback-widget.d.ts',
      'package/dist/feedback-widget.js',
      'package/dist/feedback-widget.mjs',
      'package/dist/react.d.ts',
      'package/dist/react.mjs',
      'package/dist/token.d.ts',
      'package/dist/token.mjs',
      'package/package.json',
    ]);
  });
});

describe('a Vite + React app built against the packed package', () => {
  let server: RecordingServer;
  let t: TestContext;
  let built: { fileName: string; code: string }[];

  beforeAll(async () => {
    const output = await build({
      configFile: false,
      logLevel: 'error',
      root: project,
      oxc: { jsx: { runtime: 'automatic' } },
      build: { write: false, minify: true },
    });
    const [result] = Array.isArray(output) ? output : [output];
    built = (
      result as { output: { fileName: string; code?: string; source?: unknown }[] }
    ).output.map((file) => ({ fileName: file.fileName, code: file.code ?? String(file.source) }));
  }, 120_000);

  useBrowserAndServer(
    (current) => {
      ({ server, t } = current);
    },
    (recording) => {
      for (const file of built) {
        const type = file.fileName.endsWith('.html') ? 'text/html' : 'text/javascript';
        recording.page(`/${file.fileName.replace(/^index\.html$/, '')}`, file.code, {
          'Content-Type': `${type}; charset=utf-8`,
        });
      }
    },
  );

  it('shows the widget in Chromium and sends a vote', async () => {
    const page = await t.newPage();
    await page.goto(`${server.origin}/`);
    const widget = widgetControls(page.locator('#root article'));

    await widget.up.click();

    const [request] = await server.waitFor(1);
    expect(request?.body).toMatchObject({ rating: 'up', message_id: 'm-1' });
    expect(t.problems.pageErrors).toEqual([]);
  });
});
