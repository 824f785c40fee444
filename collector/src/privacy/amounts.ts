/**
 * Amounts of money grouped in thousands (`€ 12.345.678,89`, `12 345 678 EUR`): 8 digits and two
 * separators, which SPEC §13 would take for a phone number, but a currency or decimals beside
 * them say what they are: no phone number is written beside a currency or with decimals. Without
 * them, `12.345.678` stays a phone number, as a Spanish mobile (`612 345 678`) is grouped so.
 */

import { asciiForm, SPACE } from './runs';

/** 1–3 digits (not a 0), then groups of three, all split by single dots or all by single spaces. */
const THOUSANDS = /^[1-9]\d{0,2}([. ])\d{3}(?:\1\d{3})*$/;
/** Grouped by spaces, with a decimal point: `12 345 678.50`. */
const SPACED_DECIMALS = /^[1-9]\d{0,2}(?: \d{3})+\.\d{1,2}$/;
const CODES = '(?:EUR|USD|GBP|CHF|JPY|CNY|INR|RUB|SEK|NOK|DKK|PLN|CZK|HUF|BRL|CAD|AUD)';
const CURRENCY_BEFORE = new RegExp(`(?:\\p{Sc}|(?<![A-Za-z])${CODES})[${SPACE}]?$`, 'u');
/** Decimals after a comma (`,89`, or `,-` for none), or a currency after the number. */
const AFTER = new RegExp(
  `^(?:,(?:\\d{1,2}(?!\\d)|[-\\u2013])|[${SPACE}]?(?:\\p{Sc}|${CODES}(?![A-Za-z])))`,
  'u',
);

/** Whether the run at `start..end` of `text` is an amount of money grouped in thousands. */
export function isAmount(text: string, start: number, end: number, run: string): boolean {
  const ascii = asciiForm(run);
  if (SPACED_DECIMALS.test(ascii)) return true;
  if (!THOUSANDS.test(ascii)) return false;
  return (
    AFTER.test(text.slice(end, end + 5)) ||
    CURRENCY_BEFORE.test(text.slice(Math.max(0, start - 4), start))
  );
}
