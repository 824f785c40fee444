import { createHash } from 'node:crypto';
import type { FeedbackRecord } from '../intake/record';
import { changedTexts, replaceTexts } from './copies';

/**
 * What an `Idempotency-Key` keeps of its request to tell a repeat from another request (422):
 * a digest of its path, query and body, the body holding each text as its record does once
 * redacted (SPEC §13). A digest of the body as typed would keep what redaction took out:
 * whoever read it and the record could try each number a `[phone]` or `[card]` may have been
 * until one gave it. Two bodies alike once redacted store the same record, so a key may take
 * either.
 */
export function requestFingerprint(
  target: string,
  body: unknown,
  typed: FeedbackRecord,
  redacted: FeedbackRecord,
): string {
  const json = JSON.stringify(body);
  const kept = typed === redacted ? json : replaceTexts(json, changedTexts(typed, redacted));
  return createHash('sha256').update(`${target}\n${kept}`).digest('base64url');
}
