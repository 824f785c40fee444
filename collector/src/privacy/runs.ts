/**
 * The characters a run of digits is written with (SPEC §13), and the run as ASCII writes it, so
 * that one set of rules judges numbers in every script and width.
 */

/** Every space separator (`\\p{Zs}`), listed so that patterns without the `u` flag hold it. */
export const SPACE = ' \\u00a0\\u1680\\u2000-\\u200a\\u202f\\u205f\\u3000';
export const HYPHEN = '\\-\\u2010-\\u2013\\u2212\\ufe63\\uff0d';
export const DOT = '.\\uff0e';

const ANY_SPACE = new RegExp(`[${SPACE}]`, 'u');
const ANY_HYPHEN = new RegExp(`[${HYPHEN}]`, 'u');
export const DIGIT = /\p{Nd}/u;

/** The value of a decimal digit of any script: Unicode encodes each script's 0–9 in a row. */
const digitValues = new Map<string, number>();
function digitValue(char: string): number {
  const code = char.codePointAt(0) as number;
  if (code >= 48 && code <= 57) return code - 48;
  let value = digitValues.get(char);
  if (value === undefined) {
    // Walk back to the first digit of this block; blocks hold whole sets of ten.
    let start = code;
    while (start > 0 && DIGIT.test(String.fromCodePoint(start - 1))) start--;
    value = (code - start) % 10;
    digitValues.set(char, value);
  }
  return value;
}

export const ASCII = /^[\x20-\x7e]*$/;
/** Each separator, `+` and digit of another form than ASCII's, for `asciiForm`. */
const OTHER_FORM = /[^\x20-\x7e]/gu;

/** A character of a run as ASCII writes it: a digit's value, a space, `-`, or `+()./` themselves. */
function asciiChar(char: string): string {
  if (DIGIT.test(char)) return String(digitValue(char));
  if (ANY_SPACE.test(char)) return ' ';
  if (ANY_HYPHEN.test(char)) return '-';
  // The full-width forms of `+()./` sit 0xfee0 above them.
  return String.fromCharCode((char.codePointAt(0) as number) - 0xfee0);
}

/** The run as ASCII writes it, so that one set of rules judges every script and width. */
export function asciiForm(run: string): string {
  return ASCII.test(run) ? run : run.replace(OTHER_FORM, asciiChar);
}
