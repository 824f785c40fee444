import { ValidationError } from '../errors';

/** Refuses the search, naming `q` and what is wrong with it. */
export const fail = (problem: string): never => {
  throw new ValidationError('q', `\`q\` ${problem}.`);
};

/** A term's text as it was written, for messages: `rating:great`. */
export const shown = (text: string) => `\`${text.length > 80 ? `${text.slice(0, 80)}…` : text}\``;

/** One term as written: its `-`, and its runs of text, in order. */
export interface Token {
  negated: boolean;
  /** The term as written, without its `-`. */
  source: string;
  /** Runs of text, unquoted or quoted, in order; adjacent runs belong to one term. */
  parts: { text: string; quoted: boolean }[];
}

/** Reads a quoted run starting at `start` (on its `"`); `\"` and `\\` escape. */
function quoted(q: string, start: number): { text: string; end: number } {
  let text = '';
  for (let at = start + 1; at < q.length; at++) {
    const char = q[at] as string;
    if (char === '"') return { text, end: at + 1 };
    if (char === '\\' && (q[at + 1] === '"' || q[at + 1] === '\\')) {
      text += q[at + 1];
      at++;
    } else text += char;
  }
  return fail(`has a quote that is not closed: ${shown(q.slice(start))}`);
}

/** Splits a search into terms at whitespace outside quotes. */
export function tokenize(q: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < q.length) {
    if (/\s/.test(q[at] as string)) {
      at++;
      continue;
    }
    const start = at;
    const negated = q[at] === '-';
    if (negated) at++;
    const parts: Token['parts'] = [];
    while (at < q.length && !/\s/.test(q[at] as string)) {
      if (q[at] === '"') {
        const run = quoted(q, at);
        parts.push({ text: run.text, quoted: true });
        at = run.end;
      } else {
        const end = q.slice(at).search(/[\s"]/);
        const stop = end === -1 ? q.length : at + end;
        parts.push({ text: q.slice(at, stop), quoted: false });
        at = stop;
      }
    }
    if (negated && parts.length === 0) fail('has a `-` with no term after it');
    tokens.push({ negated, source: q.slice(negated ? start + 1 : start, at), parts });
  }
  return tokens;
}
