import { fileURLToPath } from 'node:url';

/** Everything the collector needs, decided once; downstream code never re-checks it. */
export interface CollectorConfig {
  host: string;
  /** 0 = any free port. */
  port: number;
  dataDir: string;
  /** PostgreSQL when set, else PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  /**
   * PGlite commits reach the disk before a vote is answered. Only the bench turns this off, to
   * measure what durability costs; no environment variable does.
   */
  durable: boolean;
  /** Origins allowed cross-origin; `*` stands for any port, e.g. `http://localhost:*`. */
  allowedOrigins: string[];
  /** POSTs per minute per client; 0 = unlimited. */
  rateLimit: number;
  /** How long a voter's vote on a conversation is remembered, in ms; 0 = off. */
  voteWindowMs: number;
  /** Reads (GET of the API and the dashboard) per minute per client; 0 = unlimited. */
  readRateLimit: number;
  /** HS256 secrets a vote's `Authorization: Bearer` token must be signed with; none = open. */
  feedbackSecrets: string[];
  /** Required for every read when set; unset = reads answer loopback clients only. */
  adminToken: string | undefined;
  /** How many proxies in front append to `X-Forwarded-For`; 0 = the header is ignored. */
  trustProxy: number;
  /** The origin browsers reach the collector at (`https://votes.example.com`), when known. */
  publicOrigin: string | undefined;
  /** How long a request may take to arrive in full, headers and body, in ms. */
  requestTimeoutMs: number;
  /**
   * How long shutdown leaves idle keep-alive connections to their clients, in ms: clients
   * close them within the 5 s keep-alive timeout the collector announces.
   */
  shutdownGraceMs: number;
  /** The repository root, where `index.html`, `demo/pages/` and `dist/` are. */
  root: string;
  /** The JSON file of destinations votes are forwarded to (SPEC §11); none when unset. */
  forwardFile: string | undefined;
  /** How long a delivery is retried, in ms. */
  forwardMaxAgeMs: number;
}

export type CollectorOptions = Partial<CollectorConfig>;

/** A setting the collector cannot start with; the message names the variable. */
export class CollectorConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`\`${variable}\` ${message}`);
    this.name = 'CollectorConfigError';
  }
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };
const LOCALHOST = ['http://localhost:*', 'http://127.0.0.1:*'];

/** Parses a window as `data-dedupe` writes it: `30m`, `24h`, `7d`, `forever` or `off`. */
export function parseWindow(text: string, variable = 'VOTE_WINDOW'): number {
  if (text === 'off') return 0;
  if (text === 'forever') return Number.POSITIVE_INFINITY;
  const match = /^([1-9]\d*)([mhd])$/.exec(text);
  if (!match) {
    throw new CollectorConfigError(
      variable,
      `must be like 30m, 24h, 7d, forever or off: "${text}"`,
    );
  }
  return Number(match[1]) * (UNITS[match[2] as string] as number);
}

function whole(text: string, variable: string, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) > max) {
    throw new CollectorConfigError(variable, `must be a whole number from 0 to ${max}: "${text}"`);
  }
  return Number(text);
}

function secrets(text: string): string[] {
  const list = text.split(',').map((secret) => secret.trim());
  if (list.some((secret) => secret.length < 32)) {
    throw new CollectorConfigError(
      'FEEDBACK_SECRET',
      'must be one or more comma-separated secrets of at least 32 characters each (try `openssl rand -hex 32`).',
    );
  }
  return list;
}

function publicOrigin(text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || (url.pathname !== '/' && url.pathname !== '')) {
    throw new CollectorConfigError(
      'PUBLIC_URL',
      `must be the http(s) origin browsers reach the collector at, such as https://votes.example.com: "${text}"`,
    );
  }
  return url.origin;
}

/** Fills in the defaults of every option a caller left out. */
export function resolveCollectorConfig(options: CollectorOptions = {}): CollectorConfig {
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 8787,
    dataDir: options.dataDir ?? '.data',
    databaseUrl: options.databaseUrl || undefined,
    durable: options.durable ?? true,
    allowedOrigins: options.allowedOrigins ?? LOCALHOST,
    rateLimit: options.rateLimit ?? 120,
    voteWindowMs: options.voteWindowMs ?? parseWindow('24h'),
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    readRateLimit: options.readRateLimit ?? 120,
    feedbackSecrets: options.feedbackSecrets ?? [],
    adminToken: options.adminToken || undefined,
    trustProxy: options.trustProxy ?? 0,
    publicOrigin: options.publicOrigin,
    shutdownGraceMs: options.shutdownGraceMs ?? 5_000,
    root: options.root ?? fileURLToPath(new URL('../../', import.meta.url)),
    forwardFile: options.forwardFile || undefined,
    forwardMaxAgeMs: options.forwardMaxAgeMs ?? parseWindow('7d'),
  };
}

/** Reads the environment variables of the collector contract. */
export function configFromEnv(env: NodeJS.ProcessEnv): CollectorConfig {
  const options: CollectorOptions = {};
  if (env.HOST) options.host = env.HOST;
  if (env.PORT) options.port = whole(env.PORT, 'PORT', 65_535);
  if (env.DATA_DIR) options.dataDir = env.DATA_DIR;
  if (env.DATABASE_URL) options.databaseUrl = env.DATABASE_URL;
  if (env.ALLOWED_ORIGINS !== undefined) {
    options.allowedOrigins = env.ALLOWED_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter(Boolean);
  }
  if (env.RATE_LIMIT) options.rateLimit = whole(env.RATE_LIMIT, 'RATE_LIMIT', 1_000_000);
  if (env.VOTE_WINDOW) options.voteWindowMs = parseWindow(env.VOTE_WINDOW);
  if (env.READ_RATE_LIMIT) {
    options.readRateLimit = whole(env.READ_RATE_LIMIT, 'READ_RATE_LIMIT', 1_000_000);
  }
  if (env.FEEDBACK_SECRET) options.feedbackSecrets = secrets(env.FEEDBACK_SECRET);
  if (env.ADMIN_TOKEN !== undefined && env.ADMIN_TOKEN !== '') {
    if (env.ADMIN_TOKEN.length < 16 || /[\s:]/.test(env.ADMIN_TOKEN)) {
      throw new CollectorConfigError(
        'ADMIN_TOKEN',
        'must be at least 16 characters with no spaces or colons (try `openssl rand -hex 32`).',
      );
    }
    options.adminToken = env.ADMIN_TOKEN;
  }
  if (env.TRUST_PROXY) options.trustProxy = whole(env.TRUST_PROXY, 'TRUST_PROXY', 10);
  if (env.PUBLIC_URL) options.publicOrigin = publicOrigin(env.PUBLIC_URL);
  if (env.REQUEST_TIMEOUT) {
    const seconds = whole(env.REQUEST_TIMEOUT, 'REQUEST_TIMEOUT', 3600);
    if (seconds === 0)
      throw new CollectorConfigError('REQUEST_TIMEOUT', 'must be at least 1 second.');
    options.requestTimeoutMs = seconds * 1000;
  }
  if (env.FORWARD_FILE) options.forwardFile = env.FORWARD_FILE;
  if (env.FORWARD_MAX_AGE) {
    options.forwardMaxAgeMs = parseWindow(env.FORWARD_MAX_AGE, 'FORWARD_MAX_AGE');
  }
  return resolveCollectorConfig(options);
}
