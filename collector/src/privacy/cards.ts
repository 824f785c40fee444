/**
 * Payment card numbers in a run of digits (SPEC §13): 13–19 digits that pass the Luhn check.
 * A run is judged whole first; when it is no card, a card at its start or its end, made of whole
 * groups, with at most four digits beside it (or an expiry, `12 2025`, after it), is one: people type a card with what follows it
 * (`4111 1111 1111 1111 123`, a CVV; `… 12/25`, an expiry) or after a short number
 * (`nr 12 4111 1111 1111 1111`). A CVV or an expiry right after a card is as secret as the card
 * and goes with it; any other digits beside it stay as typed. A run with more digits beside a
 * card (`4111 1111 1111 1111 2222 3333`) is a longer number, a reference or an account, and stays.
 */

import { replaceBesideMoments } from './moments';
import { asciiForm, HYPHEN, SPACE } from './runs';

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let value = digits.charCodeAt(i) - 48;
    if (double) value = value * 2 > 9 ? value * 2 - 9 : value * 2;
    sum += value;
  }
  return sum % 10 === 0;
}

export function isCard(run: string): boolean {
  const digits = asciiForm(run).replace(/\D/g, '');
  return digits.length >= 13 && digits.length <= 19 && luhn(digits);
}

/**
 * A card grouped by dots (`4111.1111.1111.1111`): one group holds four digits or more, which
 * sets it apart from thousands (`1.234.567.890.123.452`) and from an IPv4 address.
 */
export function isDottedCard(run: string): boolean {
  const ascii = asciiForm(run);
  return ascii.includes('.') && /\d{4}/.test(ascii) && isCard(ascii);
}

/** The most digits beside a card in its run: a CVV, an expiry, a short number; `MM YYYY` after it. */
const BESIDE = 4;
const EXPIRY_DIGITS = 6;
const GROUPS = new RegExp(`([${SPACE}${HYPHEN}])`, 'u');
/** What follows a card and is as secret as it: a CVV (3–4 digits), an expiry (`1225`, `12 25`, `12 2025`). */
const SECRET_AFTER = /^[ -](?:\d{3,4}|(?:0[1-9]|1[0-2])[ -](?:\d\d|20\d\d))$/;
/** A month ending a run after its card, which a `/YY` after the run makes an expiry. */
const MONTH_LAST = new RegExp(`\\[card\\][${SPACE}${HYPHEN}](\\p{Nd}{2})$`, 'u');
const MONTH = /^(?:0[1-9]|1[0-2])$/;

/** Groups hold digits only; a digit of some scripts takes two UTF-16 units. */
const digitsIn = (group: string) => [...group].length;

/** A stretch of a card run without dates and times, with its card, if any, replaced. */
function replaceCard(stretch: string): string {
  if (isCard(stretch)) return '[card]';
  // Groups and the separators between them, in turn: group, separator, group, …, group.
  const pieces = stretch.split(GROUPS);
  let beside = 0;
  for (let at = pieces.length - 1; at > 0; at -= 2) {
    beside += digitsIn(pieces[at] as string);
    if (beside > EXPIRY_DIGITS) break;
    const rest = pieces.slice(at - 1).join('');
    const secret = SECRET_AFTER.test(asciiForm(rest));
    if ((beside <= BESIDE || secret) && isCard(pieces.slice(0, at - 1).join(''))) {
      return secret ? '[card]' : `[card]${rest}`;
    }
  }
  beside = 0;
  for (let at = 0; at < pieces.length - 1; at += 2) {
    beside += digitsIn(pieces[at] as string);
    if (beside > BESIDE) break;
    if (isCard(pieces.slice(at + 2).join(''))) return `${pieces.slice(0, at + 2).join('')}[card]`;
  }
  return stretch;
}

/**
 * A run of digits grouped by spaces or hyphens with its cards replaced; `expiry` is the `/YY` or
 * `/YYYY` typed right after the run, and a CVV after it, which go with a card whose month ends
 * the run (`4111 1111 1111 1111 12/25 123`), and otherwise stay.
 */
export function replaceCards(run: string, expiry: string): string {
  const replaced = replaceBesideMoments(run, replaceCard);
  const month = expiry === '' ? null : MONTH_LAST.exec(replaced);
  if (month && MONTH.test(asciiForm(month[1] as string))) {
    return replaced.slice(0, month.index + '[card]'.length);
  }
  return replaced + expiry;
}
