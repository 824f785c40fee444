/**
 * `feedback-widget-collector`: the collector as a library, to mount in a server of your own.
 * `npx feedback-collector` runs the same thing as a process.
 *
 * @example
 * // A Next.js route handler, app/feedback/[...path]/route.ts; next.config.mjs has
 * // serverExternalPackages: ['feedback-widget-collector'].
 * import { type Collector, createCollector } from 'feedback-widget-collector';
 *
 * let collector: Collector | undefined;
 * function handle(request: Request): Promise<Response> {
 *   // Made on the first request, so `next build` needs no DATABASE_URL.
 *   collector ??= createCollector({
 *     basePath: '/feedback',
 *     role: 'web',
 *     databaseUrl: process.env.DATABASE_URL,
 *     // Each visitor's address from the X-Forwarded-For its platform or proxy sets.
 *     trustProxy: 1,
 *   });
 *   return collector.fetch(request);
 * }
 * export { handle as GET, handle as POST, handle as PATCH, handle as DELETE, handle as OPTIONS };
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
