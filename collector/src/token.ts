/**
 * `feedback-widget/token`: mints and checks the signed feedback tokens of SPEC §10 on a server
 * (Node 20+, Deno, Bun, edge runtimes: WebCrypto only). The page's backend signs one per
 * rendered message and the page puts it in `data-token`; the collector verifies it.
 */
import { errors, type JWTPayload, jwtVerify, SignJWT } from 'jose';

/** What a token may vouch for; each one present binds the vote's field of the same name. */
export interface FeedbackClaims {
  conversation_id?: string;
  message_id?: string;
  session_id?: string;
  /** Becomes the stored vote's `user_id` and its voter for `VOTE_WINDOW`. */
  user_id?: string;
}

/** The claims of a token that verified: `exp` is always there. */
export interface VerifiedFeedbackClaims extends FeedbackClaims {
  exp: number;
  iat?: number;
}

/** Why a token was refused. */
export type FeedbackTokenProblem = 'malformed' | 'signature' | 'expired' | 'algorithm' | 'claims';

export class FeedbackTokenError extends Error {
  constructor(
    readonly problem: FeedbackTokenProblem,
    message: string,
  ) {
    super(message);
    this.name = 'FeedbackTokenError';
  }
}

export const CLAIMS = ['conversation_id', 'message_id', 'session_id', 'user_id'] as const;

const encoder = new TextEncoder();

/**
 * The keys of `secrets`, which `name` names when they are missing or empty: JavaScript passes
 * an unset `process.env.FEEDBACK_SECRET` as undefined.
 */
function keysOf(secrets: string | readonly string[], name: string): Uint8Array[] {
  if (typeof secrets !== 'string' && !Array.isArray(secrets)) {
    const given = secrets === null ? 'null' : typeof secrets;
    throw new TypeError(
      `\`${name}\` must be a string, such as process.env.FEEDBACK_SECRET, or a list of them: got ${given}.`,
    );
  }
  const list = (typeof secrets === 'string' ? secrets.split(',') : [...secrets]).map((secret) =>
    typeof secret === 'string' ? secret.trim() : '',
  );
  if (list.length === 0 || list.some((secret) => secret === '')) {
    throw new TypeError(`\`${name}\` must be one or more non-empty secrets.`);
  }
  return list.map((secret) => encoder.encode(secret));
}

/**
 * Signs `claims` with HS256 for `expiresIn` (`30m`, `24h`, `7d`…; default `7d`, so a vote that
 * waits days in a browser's outbox is still accepted).
 *
 * @example
 * const token = await signFeedbackToken({ conversation_id: 'c1', user_id: 'u7' }, secret);
 */
export async function signFeedbackToken(
  claims: FeedbackClaims,
  secret: string,
  options: { expiresIn?: string } = {},
): Promise<string> {
  const expiresIn = options.expiresIn ?? '7d';
  if (!/^[1-9]\d{0,6}[smhd]$/.test(expiresIn)) {
    throw new TypeError(`\`expiresIn\` must be like 30m, 24h or 7d: "${expiresIn}"`);
  }
  const payload: JWTPayload = {};
  for (const name of CLAIMS) {
    const value = claims[name];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '') {
      throw new TypeError(`\`${name}\` must be a non-empty string.`);
    }
    payload[name] = value;
  }
  const [key] = keysOf(secret, 'secret');
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key as Uint8Array);
}

function refusal(error: unknown): FeedbackTokenError {
  if (error instanceof errors.JWTExpired) {
    return new FeedbackTokenError('expired', 'The feedback token has expired.');
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return new FeedbackTokenError('algorithm', 'The feedback token must be signed with HS256.');
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf' && error.reason === 'check_failed') {
      return new FeedbackTokenError(
        'claims',
        'The feedback token is not valid yet: its `nbf` is in the future.',
      );
    }
    if (error.reason === 'missing') {
      return new FeedbackTokenError(
        'claims',
        `The feedback token must carry an \`${error.claim}\` claim.`,
      );
    }
    return new FeedbackTokenError(
      'claims',
      `The feedback token's \`${error.claim}\` must be a number of seconds since 1970.`,
    );
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new FeedbackTokenError('signature', 'The feedback token is not signed by this server.');
  }
  return new FeedbackTokenError('malformed', 'The feedback token is not a well-formed JWT.');
}

/**
 * Verifies `token` against every secret (an array, or a comma-separated string, so a secret can
 * be rotated). Resolves to its claims; rejects with a `FeedbackTokenError` saying why, never
 * which secret was tried.
 */
export async function verifyFeedbackToken(
  token: string,
  secrets: string | readonly string[],
): Promise<VerifiedFeedbackClaims> {
  const keys = keysOf(secrets, 'secrets');
  let last: unknown;
  for (const key of keys) {
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        requiredClaims: ['exp'],
      });
      for (const name of CLAIMS) {
        const value = payload[name];
        if (value !== undefined && (typeof value !== 'string' || value === '')) {
          throw new FeedbackTokenError(
            'claims',
            `The feedback token's \`${name}\` must be a string.`,
          );
        }
      }
      return payload as VerifiedFeedbackClaims;
    } catch (error) {
      if (error instanceof FeedbackTokenError) throw error;
      last = error;
      if (!(error instanceof errors.JWSSignatureVerificationFailed)) break;
    }
  }
  throw refusal(last);
}
