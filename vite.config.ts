import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

/**
 * `vite build` writes the script-tag IIFE; `vite build --mode esm` the ES module. They are two
 * builds because an IIFE must be one self-contained file with a single entry.
 */
export default defineConfig(({ mode }) => {
  const esm = mode === 'esm';
  return {
    define: { __VERSION__: JSON.stringify(version) },
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
          passes: 3,
          pure_getters: true,
          unsafe: true,
          unsafe_arrows: true,
          unsafe_methods: true,
          // Only `Number(text)` -> `+text` (never given a BigInt) and constant folding.
          unsafe_math: true,
          // Drops symbols' descriptions, which only debuggers show.
          unsafe_symbols: true,
          toplevel: true,
        },
        mangle: { toplevel: true },
        format: { comments: false },
        ecma: 2020,
      },
      lib: {
        // The ES build also carries `feedback-widget/token`, the server-side token helpers.
        entry: esm
          ? { 'feedback-widget': 'widget/api.ts', token: 'widget/token.ts' }
          : { 'feedback-widget': 'widget/index.ts' },
        formats: [esm ? 'es' : 'iife'],
        name: 'FeedbackWidgetBundle',
        fileName: (_, entry) => `${entry}.${esm ? 'mjs' : 'js'}`,
      },
      rolldownOptions: esm ? { external: [/^preact/, /^@preact\//, 'ky', 'jose'] } : {},
    },
  };
});
