/**
 * Scripts written without spaces between words (SPEC §13's redaction in Chinese, Japanese,
 * Korean, Thai… text): there a number or an address sits right against the words around it
 * (`電話は03-1234-5678です`), so a letter of these scripts neither glues a number to a word nor
 * belongs to an address next to it written in another script.
 */
const SCRIPTS = ['Han', 'Hiragana', 'Katakana', 'Hangul', 'Thai', 'Lao', 'Khmer', 'Myanmar'];
const UNSPACED = SCRIPTS.map((script) => new RegExp(`\\p{scx=${script}}`, 'u'));
/** A character class (a regex source, for the `u` flag) of the letters of these scripts. */
export const UNSPACED_LETTER = `[${SCRIPTS.map((script) => `\\p{scx=${script}}`).join('')}]`;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/**
 * The unspaced scripts `char` is written in, one bit each (a mark such as `ー` is used in two);
 * 0 for a character of any other script, or none.
 */
export function unspacedScripts(char: string): number {
  if (char.charCodeAt(0) < 0x80 || !LETTER_OR_DIGIT.test(char)) return 0;
  let scripts = 0;
  for (const [bit, pattern] of UNSPACED.entries()) if (pattern.test(char)) scripts |= 1 << bit;
  return scripts;
}
