import { fileURLToPath } from 'node:url';

/** Everything the collector needs, decided once; downstream code never re-checks it. */
export interface CollectorConfig {
  host: string;
  /** 0 = any free port. */
  port: number;
  dataDir: string;
  /** PostgreSQL when set, else PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  /** Origins allowed cross-origin; `*` stands for any port, e.g. `http://localhost:*`. */
  allowedOrigins: string[];
  /** POSTs per minute per client; 0 = unlimited. */
  rateLimit: number;
  /** How long a voter's vote on a conversation is remembered, in ms; 0 = off. */
  voteWindowMs: number;
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

/** Fills in the defaults of every option a caller left out. */
export function resolveCollectorConfig(options: CollectorOptions = {}): CollectorConfig {
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 8787,
    dataDir: options.dataDir ?? '.data',
    databaseUrl: options.databaseUrl || undefined,
    allowedOrigins: options.allowedOrigins ?? LOCALHOST,
    rateLimit: options.rateLimit ?? 120,
    voteWindowMs: options.voteWindowMs ?? parseWindow('24h'),
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
  if (env.FORWARD_FILE) options.forwardFile = env.FORWARD_FILE;
  if (env.FORWARD_MAX_AGE) {
    options.forwardMaxAgeMs = parseWindow(env.FORWARD_MAX_AGE, 'FORWARD_MAX_AGE');
  }
  return resolveCollectorConfig(options);
}
