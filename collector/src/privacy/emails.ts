/**
 * E-mail addresses in free text (SPEC §13), each replaced with `[email]`. The local part takes
 * the characters addresses use in practice, the domain at least two labels ending in letters.
 */

import { unspacedScripts } from './writing';

// The characters addresses use in practice; the rarer ones RFC 5322 allows (`'`, `=`, `/`…)
// would take the words around an address with it (`name='jane@example.com'`).
const LOCAL_ASCII = /[A-Za-z0-9._%+-]/;
const LOCAL_OTHER = /[\p{L}\p{N}]/u;
const LABEL = '[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?';
const DOMAIN = new RegExp(`(?:${LABEL}\\.)+\\p{L}{2,63}`, 'uy');

function isLocalChar(char: string): boolean {
  const code = char.charCodeAt(0);
  if (code < 0x80) return LOCAL_ASCII.test(char);
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
  if (!text.includes('@')) return text;
  let out = '';
  let done = 0;
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    const last = text[at - 1] ?? '';
    let start = at;
    while (
      start > done &&
      isLocalChar(text[start - 1] as string) &&
      spacedAlike(text[start - 1] as string, last)
    )
      start--;
    while (start < at && text[start] === '.') start++;
    if (start === at) continue;
    DOMAIN.lastIndex = at + 1;
    if (!DOMAIN.test(text)) continue;
    const top = text.lastIndexOf('.', DOMAIN.lastIndex - 1) + 1;
    const end = labelEnd(text, top, DOMAIN.lastIndex);
    if (end - top < 2) continue;
    out += `${text.slice(done, start)}[email]`;
    done = end;
    at = done - 1;
  }
  return out + text.slice(done);
}
