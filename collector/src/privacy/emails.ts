/**
 * E-mail addresses in free text (SPEC §13), each replaced with `[email]`. The local part takes
 * the characters addresses use in practice, the domain at least two labels ending in letters.
 * The `@` may be written as people type it when they do not write it plainly: full-width (`＠`,
 * with full-width letters and `．`), percent-encoded in a URL (`%40`), or as a bracketed word
 * (`(at)`, `[at]`, `{at}`, and `(dot)` between the domain's labels); a bare `at` or `dot` is a
 * word of the sentence, not an address.
 */

import { UNSPACED_LETTER, unspacedScripts } from './writing';

// The characters addresses use in practice; the rarer ones RFC 5322 allows (`'`, `=`, `/`…)
// would take the words around an address with it (`name='jane@example.com'`).
const LOCAL_ASCII = /[A-Za-z0-9._%+-]/;
const LOCAL_OTHER = /[\p{L}\p{N}]/u;
/** An `@` as typed: plain, full-width or small, percent-encoded, or a bracketed `at`. */
const AT = /[@\uff20\ufe6b]|%40|[ \u00a0]?[([{][ \u00a0]?at[ \u00a0]?[)\]}][ \u00a0]?/gi;
/** Whether the text may hold an `AT`: one scan, without the global pattern's `lastIndex`. */
const ANY_AT = new RegExp(AT.source, 'i');
// A full stop before a word of a script written without spaces ends the sentence, not a label
// (`jane@example.com．次は`), unless the label before it is of such a script too (`例え.テスト`).
const DOT = `(?:[.\\uff0e](?!${UNSPACED_LETTER})|(?<=${UNSPACED_LETTER})[.\\uff0e]|[ \\u00a0]?[([{][ \\u00a0]?dot[ \\u00a0]?[)\\]}][ \\u00a0]?)`;
const LABEL = '[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?';
/** The domain after an `@`; its group is the top-level label, which ends it. */
const DOMAIN = new RegExp(`(?:${LABEL}${DOT})+(\\p{L}{2,63})`, 'iuy');

function isLocalChar(char: string): boolean {
  const code = char.charCodeAt(0);
  if (code < 0x80) return LOCAL_ASCII.test(char);
  // The full-width forms of ASCII sit 0xfee0 above it: `ｊａｎｅ．ｄｏｅ`.
  if (code >= 0xff01 && code <= 0xff5e) return LOCAL_ASCII.test(String.fromCharCode(code - 0xfee0));
  return !(code >= 0xd800 && code <= 0xdfff) && LOCAL_OTHER.test(char);
}

/** Whether two characters are written alike: both in a script that spaces its words, or not. */
const spacedAlike = (a: string, b: string) =>
  (unspacedScripts(a) === 0) === (unspacedScripts(b) === 0);

/**
 * Where the top-level label starting at `start` ends, at most at `end`: it is written in one
 * script, so in text without spaces it stops where the next word does (`example.comです`).
 */
function labelEnd(text: string, start: number, end: number): number {
  let scripts = unspacedScripts(text[start] as string);
  let at = start + 1;
  for (; at < end; at++) {
    const next = unspacedScripts(text[at] as string);
    if ((scripts === 0) !== (next === 0) || (scripts !== 0 && (scripts & next) === 0)) break;
    scripts = scripts === 0 ? 0 : scripts & next;
  }
  return at;
}

/**
 * E-mail addresses, found from each `@` outwards rather than by one pattern over the whole text,
 * whose backtracking over a long run of name characters without an `@` would be quadratic. In
 * text without spaces an address ends where its writing changes (`メールはjane@example.comです`).
 */
export function replaceEmails(text: string): string {
  if (!ANY_AT.test(text)) return text;
  let out = '';
  let done = 0;
  AT.lastIndex = 0;
  for (let sign = AT.exec(text); sign !== null; sign = AT.exec(text)) {
    const at = sign.index;
    const last = text[at - 1] ?? '';
    let start = at;
    while (
      start > done &&
      isLocalChar(text[start - 1] as string) &&
      spacedAlike(text[start - 1] as string, last)
    )
      start--;
    while (start < at && (text[start] === '.' || text[start] === '\uff0e')) start++;
    if (start === at) continue;
    DOMAIN.lastIndex = at + sign[0].length;
    const domain = DOMAIN.exec(text);
    if (!domain) continue;
    const top = DOMAIN.lastIndex - (domain[1] as string).length;
    const end = labelEnd(text, top, DOMAIN.lastIndex);
    if (end - top < 2) continue;
    out += `${text.slice(done, start)}[email]`;
    done = end;
    AT.lastIndex = done;
  }
  return out + text.slice(done);
}
