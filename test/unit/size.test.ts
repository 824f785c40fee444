// @vitest-environment node
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

/** Bytes do not jitter, so the budget is a test; speed and memory live in `npm run bench`. */
const BUDGET = 18_432;
const BUNDLE = fileURLToPath(new URL('../../dist/feedback-widget.js', import.meta.url));

test('the script-tag bundle fits the gzip -9 budget', () => {
  // GNU gzip, as the budget is stated; Node's zlib at level 9 packs this file ~150 B larger.
  const gzipped = execFileSync('gzip', ['-9', '-c', BUNDLE]).length;
  expect(gzipped).toBeLessThanOrEqual(BUDGET);
});

test('the script-tag bundle loads no chunks at run time', () => {
  expect(readFileSync(BUNDLE, 'utf8')).not.toMatch(/\bimport\s*\(|\bimport\s+[\w{*]/);
});
