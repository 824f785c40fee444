import type { CollectorConfig } from '../config';
import { HttpError, ValidationError } from '../errors';
import {
  CLAIMS,
  FeedbackTokenError,
  type VerifiedFeedbackClaims,
  verifyFeedbackToken,
} from '../token';
import type { Accepted } from './formats';
import { canonical, type Draft } from './record';
import { id, subjectId } from './validate';

type TrustConfig = Pick<CollectorConfig, 'feedbackSecrets'>;

/**
 * With `FEEDBACK_SECRET`, the claims of the vote's `Authorization: Bearer` token, else
 * undefined. Throws 401 naming `token` for a missing or refused one.
 */
export async function voteClaims(
  headers: Headers,
  config: TrustConfig,
): Promise<VerifiedFeedbackClaims | undefined> {
  if (config.feedbackSecrets.length === 0) return undefined;
  const bearer = /^Bearer +(\S+)$/i.exec(headers.get('authorization') ?? '');
  if (!bearer) {
    throw new HttpError(
      401,
      "A feedback token is required: send Authorization: Bearer <token> (the element's `data-token`).",
      'token',
    );
  }
  let claims: VerifiedFeedbackClaims;
  try {
    claims = await verifyFeedbackToken(bearer[1] as string, config.feedbackSecrets);
  } catch (error) {
    const message =
      error instanceof FeedbackTokenError ? error.message : 'The feedback token was refused.';
    throw new HttpError(401, message, 'token');
  }
  checkClaims(claims);
  return claims;
}

/** Each claim is held to the rules of the vote's field it binds, or becomes (`user_id`). */
const CLAIM_RULES = {
  conversation_id: subjectId,
  message_id: id,
  session_id: subjectId,
  user_id: id,
} satisfies Record<(typeof CLAIMS)[number], (value: unknown, field: string) => string>;

/**
 * A claim the body could not carry (NUL, a lone surrogate, control characters, over 200
 * characters) answers 401 naming `token`, and says which claim: it would fail in the database,
 * or be stored as the voter.
 */
function checkClaims(claims: VerifiedFeedbackClaims): void {
  for (const name of CLAIMS) {
    if (claims[name] === undefined) continue;
    try {
      CLAIM_RULES[name](claims[name], name);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      throw new HttpError(401, `The feedback token's ${error.message}`, 'token');
    }
  }
}

/**
 * Binds a vote to its token: each of `conversation_id`, `message_id`, `session_id` the token
 * carries must equal the vote's (403 naming it otherwise), and its `user_id` becomes the
 * record's and the voter's.
 */
export function bindToToken(accepted: Accepted, claims: VerifiedFeedbackClaims): Accepted {
  for (const name of CLAIMS) {
    if (name === 'user_id' || claims[name] === undefined) continue;
    if (accepted.record[name] !== claims[name]) {
      throw new HttpError(
        403,
        accepted.record[name] === undefined
          ? `The feedback token is for one \`${name}\`, and this vote has none.`
          : `\`${name}\` is not the one the feedback token was issued for.`,
        name,
      );
    }
  }
  if (claims.user_id === undefined) return accepted;
  const record = canonical({ ...accepted.record, user_id: claims.user_id } as Draft);
  const voter = accepted.voter === undefined ? undefined : `user:${claims.user_id}`;
  return { ...accepted, record, ...(voter === undefined ? {} : { voter }) };
}
