import { readFileSync } from 'node:fs';
import MagicString from 'magic-string';
import { defineConfig, type Plugin } from 'vite';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

/**
 * Branches of ky's code (files under `ky/distribution/`) that our one call of it
 * (`widget/core/transport.ts`: `ky.post` with `json`, `headers`, `credentials`, `keepalive`,
 * `redirect` and `throwHttpErrors: false`) can never take, cut so the minifier drops their code.
 * Each must match exactly once, or the build stops: a ky that changed is checked again by hand,
 * not trimmed blindly.
 */
const KY_CUTS: [string, RegExp, string, string][] = [
  [
    'core/Ky.js',
    /\(isRetriableMethod \? ky\._retry\(fn\) : fn\(\)\)/,
    'fn()',
    'ky retries no POST unless told to (the outbox retries)',
  ],
  [
    'core/Ky.js',
    /\n {4}_calculateRetryDelay\(error\) \{[\s\S]*?\n {4}\}\n/,
    '\n',
    'the retry delay, of the retries cut above',
  ],
  ['core/Ky.js', /\n {4}async _retry\(fn\) \{[\s\S]*?\n {4}\}\n/, '\n', 'the retries cut above'],
  [
    'core/Ky.js',
    /\n {4}\/\* istanbul ignore next \*\/\n {4}_stream\(response, onDownloadProgress\) \{[\s\S]*?\n {4}\}\n/,
    '\n',
    'the download progress stream, cut below',
  ],
  [
    'core/Ky.js',
    /\n {8}for \(const \[type, mimeType\] of Object\.entries\(responseTypes\)\) \{[\s\S]*?\n {8}\}\n/,
    '\n',
    'the `.json()`/`.text()` shortcuts on the answer: we read its status and one header',
  ],
  [
    'core/Ky.js',
    /\n {8}const isRetriableMethod = [^\n]*\n/,
    '\n',
    'which methods ky retries, of the retries cut above',
  ],
  [
    'core/Ky.js',
    /\n {12}retry: normalizeRetryOptions\(options\.retry\),/,
    '',
    'the retry options, read only by the retries cut above',
  ],
  [
    'core/Ky.js',
    /\n {12}for \(const hook of ky\._options\.hooks\.afterResponse\) \{[\s\S]*?\n {12}\}\n/,
    '\n',
    'no `hooks`',
  ],
  [
    'core/Ky.js',
    /\n {8}for \(const hook of this\._options\.hooks\.beforeRequest\) \{[\s\S]*?\n {8}\}\n/,
    '\n',
    'no `hooks`',
  ],
  [
    'core/Ky.js',
    /if \(!response\.ok && ky\._options\.throwHttpErrors\)/,
    'if (false)',
    '`throwHttpErrors: false`: no HTTPError (nor its `beforeError` hooks)',
  ],
  ['core/Ky.js', /if \(this\._options\.parseJson\)/, 'if (false)', 'no `parseJson`'],
  ['core/Ky.js', /if \(this\._options\.timeout === false\)/, 'if (false)', 'ky’s 10 s `timeout`'],
  [
    'core/Ky.js',
    /if \(this\._options\.prefixUrl && typeof this\._input === 'string'\)/,
    'if (false)',
    'no `prefixUrl`',
  ],
  ['core/Ky.js', /if \(this\._options\.signal\)/, 'if (false)', 'no `signal`'],
  [
    'core/Ky.js',
    /\n {12}hooks: deepMerge\(\{[\s\S]*?\}, options\.hooks\),/,
    '',
    'the hooks, of the `hooks` cut above',
  ],
  [
    'core/Ky.js',
    /\n {12}\/\/ [^\n]*\n {12}prefixUrl: String\(options\.prefixUrl \|\| ''\),/,
    '',
    'the prefix, of the `prefixUrl` cut above',
  ],
  ['core/Ky.js', /if \(ky\._options\.onDownloadProgress\)/, 'if (false)', 'no download progress'],
  ['core/Ky.js', /if \(this\._options\.searchParams\)/, 'if (false)', 'no `searchParams`'],
  [
    'core/Ky.js',
    /if \(typeof ky\._options\.timeout === 'number' && ky\._options\.timeout > maxSafeTimeout\)/,
    'if (false)',
    'ky’s own 10 s `timeout`',
  ],
  [
    'core/Ky.js',
    /if \(typeof this\._input !== 'string' && [^\n]*\)\) \{/,
    'if (false) {',
    'the URL is a string',
  ],
  [
    'index.js',
    /\n {4}ky\.create = [^\n]*\n {4}ky\.extend = [^\n]*\n {4}ky\.stop = stop;\n/,
    '\n',
    'ky.create, ky.extend and ky.stop: we call ky.post',
  ],
  [
    'core/constants.js',
    /export const supportsRequestStreams = \(\(\) => \{[\s\S]*?\n\}\)\(\);/,
    'export const supportsRequestStreams = false;',
    // Its test builds a Request as the script loads, which throws where a page replaced
    // window.Request (MooTools).
    'no stream bodies: a vote is a JSON string',
  ],
];

/**
 * Rewrites of ky's code, about 1,880 B less gzipped in all, none changing what our one call of it
 * does:
 * - ky ships its classes compiled with TypeScript's define semantics for fields: each field is
 *   an `Object.defineProperty(this, …)` that the constructor then assigns anyway. They are
 *   emitted as `useDefineForClassFields: false` does (nothing for a field without an
 *   initialiser, else an assignment), which means the same there: no class in ky's chains has
 *   accessors of those names, and a field never assigned (`abortController` without
 *   AbortController) still reads as undefined.
 * - The messages of the errors ky throws on bad arguments (a `timeout` too long, `prefixUrl`
 *   with a leading slash, `retry` not an array…) become "ky": our call passes none of those.
 *   Its HTTPError and TimeoutError, which a vote can meet, keep theirs.
 * - `KY_CUTS`.
 */
/**
 * The cuts made in a build that bundles ky (the ES module build leaves it out): one that found
 * no file (ky moved it) stops the build too.
 */
const applied = new Set<(typeof KY_CUTS)[number]>();
let bundlesKy = false;

const kyTrim: Plugin = {
  name: 'ky-trim',
  buildStart() {
    applied.clear();
    bundlesKy = false;
  },
  buildEnd(error) {
    const missed = KY_CUTS.filter((cut) => !applied.has(cut));
    if (!error && bundlesKy && missed.length > 0) {
      throw new Error(`ky-trim: no ky file for ${missed.map(([file]) => file).join(', ')}`);
    }
  },
  transform(code, id) {
    if (!/[\\/]node_modules[\\/]ky[\\/]/.test(id)) return null;
    bundlesKy = true;
    const out = new MagicString(code);
    for (const field of code.matchAll(
      /Object\.defineProperty\(this, "(\w+)", \{\s*enumerable: true,\s*configurable: true,\s*writable: true,\s*value: ([^\n]+?)\s*\}\);/g,
    )) {
      const [whole, name, value] = field;
      out.overwrite(
        field.index,
        field.index + whole.length,
        (value === 'void 0' ? '' : `this.${name} = ${value};`) +
          '\n'.repeat(whole.split('\n').length - 1),
      );
    }
    for (const thrown of code.matchAll(/throw new \w*Error\(('[^']*'|`(?:\\.|[^`\\])*`)\)/g)) {
      const start = thrown.index + thrown[0].length - thrown[1].length - 1;
      out.overwrite(start, start + thrown[1].length, "'ky'");
    }
    for (const cut of KY_CUTS) {
      const [file, pattern, replacement, why] = cut;
      if (!id.replaceAll('\\', '/').endsWith(`/ky/distribution/${file}`)) continue;
      const found = [...code.matchAll(new RegExp(pattern, 'g'))];
      if (found.length !== 1) {
        throw new Error(`ky-trim: ${pattern} (${why}) matches ${found.length} times in ${id}`);
      }
      const [{ index, 0: text }] = found as [RegExpExecArray];
      out.overwrite(index, index + text.length, replacement);
      applied.add(cut);
    }
    // With its map, the bench's per-module sizes count ky's code as ky's.
    return { code: out.toString(), map: out.generateMap({ hires: true, source: id }) };
  },
};

/**
 * `vite build` writes the script-tag IIFE; `vite build --mode esm` the ES module. They are two
 * builds because an IIFE must be one self-contained file with a single entry.
 */
export default defineConfig(({ mode }) => {
  const esm = mode === 'esm';
  return {
    define: { __VERSION__: JSON.stringify(version) },
    plugins: [kyTrim],
    // Classic `h` calls: Preact's automatic JSX runtime would add its own factory to the bundle.
    oxc: { jsx: { runtime: 'classic', pragma: 'h', pragmaFrag: 'Fragment', development: false } },
    build: {
      target: 'es2022',
      // light-dark() and adoptedStyleSheets: evergreen browsers from 2024 on.
      cssTarget: ['chrome123', 'edge123', 'firefox120', 'safari17.5'],
      emptyOutDir: !esm,
      minify: 'terser',
      terserOptions: {
        compress: {
          passes: 4,
          pure_getters: true,
          unsafe: true,
          unsafe_arrows: true,
          unsafe_methods: true,
          // Only `Number(text)` -> `+text` (never given a BigInt) and constant folding.
          unsafe_math: true,
          // Drops symbols' descriptions, which only debuggers show.
          unsafe_symbols: true,
          toplevel: true,
          // Only simple functions inlined: 8 B less gzipped than the default, 3.
          inline: 1,
        },
        mangle: {
          toplevel: true,
          // ky's private members (`_options`, `_input`, …) and Preact's internal ones (`__k`,
          // `__e`, …) never leave the bundle: short names for them. Preact's public
          // `__html` and the language's `__proto__` keep theirs.
          properties: { regex: /^_/, reserved: ['__html', '__proto__'] },
        },
        format: { comments: false },
        ecma: 2020,
        // Vite turns on terser's workarounds for Safari 10 and 11 (a `let` in a loop, `await`
        // as a name), which cost 51 B gzipped; the script needs Safari 17.5 (light-dark()).
        safari10: false,
      },
      lib: {
        // The ES build also carries `feedback-widget/react` and `feedback-widget/token`.
        entry: esm
          ? {
              'feedback-widget': 'widget/api.ts',
              react: 'widget/react.ts',
              token: 'collector/src/token.ts',
            }
          : 'widget/index.ts',
        formats: [esm ? 'es' : 'iife'],
        name: 'FeedbackWidgetBundle',
        fileName: (_format, name) => (esm ? `${name}.mjs` : 'feedback-widget.js'),
      },
      rolldownOptions: esm
        ? {
            external: [/^preact/, /^@preact\//, 'ky', 'jose', /^react($|\/)/, 'feedback-widget'],
          }
        : {},
    },
  };
});
