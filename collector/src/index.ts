/**
 * `feedback-widget-collector`: the collector as a library, to mount in a server of your own.
 * `npx feedback-collector` runs the same thing as a process.
 *
 * @example
 * import { createCollector } from 'feedback-widget-collector';
 * // trustProxy: each visitor's address from the X-Forwarded-For its platform or proxy sets.
 * const collector = createCollector({
 *   databaseUrl: process.env.DATABASE_URL,
 *   role: 'web',
 *   trustProxy: 1,
 * });
 * export const GET = (request: Request) => collector.fetch(request);
 * export const POST = GET;
 */
export type { Collector, CreateCollectorOptions } from './collector';
export { createCollector } from './collector';
export type { CollectorOptions, LogLevel, Role } from './config';
export { CollectorConfigError } from './config';
export type { FetchContext, FetchHandler } from './http/node';
export { toNodeListener } from './http/node';
export type { LogDestination } from './observe/logger';
export type { Redaction } from './privacy/redact';
export type {
  FeedbackClaims,
  FeedbackTokenProblem,
  VerifiedFeedbackClaims,
} from './token';
export { FeedbackTokenError, signFeedbackToken, verifyFeedbackToken } from './token';
