import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The team's inbox, built apart from the widget (never inside dist/feedback-widget.js) into the
 * collector package's `dist/public/`, which the collector serves: the page at `/dashboard`, its
 * hashed assets under `/inbox/`. Paths are relative, so it works under any `BASE_PATH`.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  // Classic `h` calls, as the widget writes them.
  oxc: { jsx: { runtime: 'classic', pragma: 'h', pragmaFrag: 'Fragment', development: false } },
  build: {
    outDir: '../dist/public',
    emptyOutDir: false,
    assetsDir: 'inbox',
    target: 'es2022',
    cssTarget: ['chrome123', 'edge123', 'firefox120', 'safari17.5'],
    rolldownOptions: { input: fileURLToPath(new URL('dashboard.html', import.meta.url)) },
  },
});
