import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const OURS = fileURLToPath(new URL('../dist/feedback-widget.js', import.meta.url));
const OUT = fileURLToPath(new URL('../.bench/build/', import.meta.url));

export type BundleName =
  | 'sentry'
  | 'sentryDefault'
  | 'bareStack'
  | 'plainPreact'
  | 'probe'
  | 'modules';

interface Entry {
  entry: string;
  global: string;
  /** Keeps Sentry's debug logging, as a build without Sentry's production define does. */
  sentryDebug?: boolean;
  /** With a source map beside it, for the size of each module. */
  sourcemap?: boolean;
}

/** The bench's own bundles, each an IIFE, built as `dist/feedback-widget.js` is. */
const ENTRIES: Record<BundleName, Entry> = {
  sentry: { entry: 'bench/entries/sentry.ts', global: 'BenchSentry' },
  sentryDefault: { entry: 'bench/entries/sentry.ts', global: 'BenchSentry', sentryDebug: true },
  bareStack: { entry: 'bench/entries/bare-stack.ts', global: 'BenchBareStack' },
  plainPreact: { entry: 'bench/entries/plain-preact.tsx', global: 'BenchPlainPreact' },
  probe: { entry: 'bench/entries/probe.ts', global: 'BenchProbeBundle' },
  modules: { entry: 'widget/index.ts', global: 'FeedbackWidgetBundle', sourcemap: true },
};

export interface Bundle {
  file: string;
  code: string;
}

let built: Promise<Record<BundleName, Bundle>> | undefined;

/**
 * Builds every bench entry once per process with the settings of our own `vite.config.ts`
 * (target, CSS target, JSX, terser options, IIFE library mode), so size and parse costs are
 * compared like for like.
 */
export function bundles(): Promise<Record<BundleName, Bundle>> {
  built ??= buildAll();
  return built;
}

async function buildAll(): Promise<Record<BundleName, Bundle>> {
  // vite.config.ts reads package.json from the working directory when it is evaluated.
  process.chdir(ROOT);
  const { default: ours } = await import('../vite.config');
  const base = ours({ command: 'build', mode: 'production' });
  const result = {} as Record<BundleName, Bundle>;
  for (const [name, { entry, global, sentryDebug, sourcemap }] of Object.entries(ENTRIES) as [
    BundleName,
    Entry,
  ][]) {
    const fileName = `${name}.js`;
    await build({
      ...base,
      configFile: false,
      root: ROOT,
      logLevel: 'warn',
      // Sentry's documented production setting, which strips its debug logging: compared
      // against Sentry as small as a careful user ships it.
      define: { ...base.define, ...(sentryDebug ? {} : { __SENTRY_DEBUG__: 'false' }) },
      build: {
        ...base.build,
        outDir: OUT,
        emptyOutDir: false,
        copyPublicDir: false,
        sourcemap: Boolean(sourcemap),
        lib: { entry, formats: ['iife'], name: global, fileName: () => fileName },
        // Terser dominates a build of Sentry; rolldown's note saying so is noise here.
        rolldownOptions: { checks: { bundlerTimings: false } },
      },
    });
    const file = `${OUT}${fileName}`;
    result[name] = { file, code: readFileSync(file, 'utf8') };
  }
  return result;
}
