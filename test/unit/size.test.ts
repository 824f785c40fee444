// @vitest-environment node
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { expect, test } from 'vitest';

/** Bytes do not jitter, so the budget is a test; speed and memory live in `npm run bench`. */
const BUDGET = 17_408;

test('the script-tag bundle fits the gzip -9 budget', () => {
  const bundle = readFileSync(new URL('../../dist/feedback-widget.js', import.meta.url));
  const gzipped = gzipSync(bundle, { level: 9 }).length;
  expect(gzipped).toBeLessThanOrEqual(BUDGET);
});

test('the script-tag bundle loads no chunks at run time', () => {
  const bundle = readFileSync(new URL('../../dist/feedback-widget.js', import.meta.url), 'utf8');
  expect(bundle).not.toMatch(/\bimport\s*\(|\bimport\s+[\w{*]/);
});
