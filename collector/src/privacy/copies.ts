/**
 * The copies the collector keeps of a record's free texts elsewhere (a delivery's body, an
 * answer, a request's fingerprint): what redaction changed, and those copies redacted with it.
 */
import type { FeedbackRecord } from '../intake/record';
import { REDACTED_FIELDS, REDACTED_METADATA } from './redact';

/** Each free text of `record` that redaction changed, with what it became. */
export function changedTexts(record: FeedbackRecord, redacted: FeedbackRecord): [string, string][] {
  const pairs: [string, string][] = [];
  const add = (from: unknown, to: unknown) => {
    if (typeof from === 'string' && typeof to === 'string' && from !== to) pairs.push([from, to]);
  };
  for (const field of REDACTED_FIELDS) add(record[field], redacted[field]);
  for (const field of REDACTED_METADATA) add(record.metadata?.[field], redacted.metadata?.[field]);
  return pairs;
}

/**
 * `text` with every occurrence of each changed text replaced by its redacted form, as typed and
 * as it reads inside a JSON string: where a request body, a vendor's answer or a replayed
 * answer quotes it, whole or joined with another text.
 */
export function replaceTexts(text: string, pairs: [string, string][]): string {
  let out = text;
  for (const [from, to] of pairs) {
    out = out.replaceAll(from, to);
    const quoted = JSON.stringify(from).slice(1, -1);
    if (quoted !== from) out = out.replaceAll(quoted, JSON.stringify(to).slice(1, -1));
  }
  return out;
}
