import { expect, test } from 'vitest';
import { createRedactor } from '../../collector/src/privacy/redact';

/** The collector's redaction with every kind on, as it runs by default. */
export const redact = createRedactor(['email', 'phone', 'card']);

/** A test for each `[text, expected]`: `redact(text)` is `expected`. `title` as `test.each`'s. */
export function testRedacted(title: string, cases: [string, string][]): void {
  test.each(cases)(title, (text, expected) => {
    expect(redact(text)).toBe(expected);
  });
}

/** A test for each text: `redact` leaves it as it is. `title` as `test.each`'s. */
export function testKept(title: string, texts: string[]): void {
  test.each(texts)(title, (text) => {
    expect(redact(text)).toBe(text);
  });
}
