import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants } from 'node:zlib';
import { bundles, OURS } from './bundles';
import { measureModules } from './modules';
import { type Row, row } from './stats';

export interface Sizes {
  raw: number;
  gzip: number;
  brotli: number;
}

/** Bytes as shipped: raw, GNU `gzip -9` (as the budget test counts) and brotli quality 11. */
export function sizesOf(file: string): Sizes {
  const code = readFileSync(file);
  return {
    raw: code.length,
    gzip: execFileSync('gzip', ['-9', '-c', file]).length,
    brotli: brotliCompressSync(code, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: code.length,
      },
    }).length,
  };
}

/**
 * `dist/feedback-widget.js` against @sentry/browser with its feedback integration and against
 * the bare stack (preact + signals-core + ky), all built alike. Bytes do not jitter: one
 * measurement each.
 */
export async function measureSize(): Promise<Row[]> {
  const built = await bundles();
  const ours = sizesOf(OURS);
  const sentry = sizesOf(built.sentry.file);
  const sentryDefault = sizesOf(built.sentryDefault.file);
  const bare = sizesOf(built.bareStack.file);
  const rows: Row[] = [];
  for (const [key, label] of [
    ['raw', 'raw'],
    ['gzip', 'gzip -9'],
    ['brotli', 'brotli 11'],
  ] as const) {
    rows.push(
      row({
        section: 'size',
        metric: `Script size, ${label}`,
        unit: 'B',
        runs: [ours[key]],
        baselineName: '@sentry/browser + feedbackIntegration',
        baselineRuns: [sentry[key]],
        ...(key === 'raw' ? {} : { goal: { on: 'ratio', max: 0.35 } }),
      }),
      row({
        section: 'size',
        metric: `Script size, ${label}`,
        unit: 'B',
        runs: [ours[key]],
        baselineName: '@sentry/browser + feedbackIntegration, debug logging kept',
        baselineRuns: [sentryDefault[key]],
      }),
      row({
        section: 'size',
        metric: `Script size, ${label}`,
        unit: 'B',
        runs: [ours[key]],
        baselineName: 'bare stack (preact + signals-core + ky)',
        baselineRuns: [bare[key]],
      }),
    );
  }
  return [...rows, ...(await measureModules())];
}
