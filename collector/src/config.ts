import { parseWindow } from '../../widget/core/vocabulary';
import { MAX_DAYS, MAX_DURATION_MS } from './durations';
import { REDACTIONS, type Redaction } from './privacy/redact';

export type Role = 'all' | 'web' | 'forwarder';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * What `createCollector` takes: the environment variables of `npx feedback-collector --help` in
 * camelCase (`DATABASE_URL` is `databaseUrl`), as numbers where they are numbers. Every one is
 * checked as its variable would be, and a bad one is named as the option.
 */
export interface CollectorOptions {
  host?: string;
  /** 0 takes any free port. */
  port?: number;
  dataDir?: string;
  databaseUrl?: string;
  /** Comma-separated or a list; `*` stands for any port, e.g. `http://localhost:*`. */
  allowedOrigins?: string | string[];
  rateLimit?: number;
  readRateLimit?: number;
  /** `30m`, `24h`, `7d`, `forever`, `off`, or a number of ms. */
  voteWindow?: string | number;
  /** One secret, several comma-separated, or a list. */
  feedbackSecret?: string | string[];
  adminToken?: string;
  /**
   * Opens `/metrics` alone, at least 32 characters: a scraper presenting it is never locked out
   * by wrong `ADMIN_TOKEN`s sent from its address.
   */
  metricsToken?: string;
  trustProxy?: number;
  publicUrl?: string;
  /** Seconds a request may take to arrive in full. */
  requestTimeout?: number;
  /**
   * Seconds `close()` (SIGTERM) keeps serving, with `/readyz` answering 503, before it stops
   * taking connections: time for a load balancer to take the collector out. 0 by default.
   */
  shutdownDelay?: number;
  forwardFile?: string;
  /** Like `voteWindow`. */
  forwardMaxAge?: string | number;
  /** What is redacted from free text: `email,phone,card` (the default), a part of it, or `off`. */
  redact?: string | Redaction[];
  /** How long records are kept: `off` (the default) or days, such as `30d`. */
  retention?: string;
  role?: Role;
  logLevel?: LogLevel;
  logFormat?: 'json' | 'text';
  /** Where the collector's routes start when it is mounted in another server, e.g. `/feedback`. */
  basePath?: string;
  /** The inbox links a record's trace here: an http(s) URL holding `{trace_id}`. */
  traceUrl?: string;
  /** Open connections at most; past it the idlest keep-alive connections are closed first. */
  maxConnections?: number;
  /**
   * How long shutdown leaves idle keep-alive connections to their clients, in ms: clients close
   * them within the 5 s keep-alive timeout the collector announces. Tests set 0.
   * @internal
   */
  shutdownGraceMs?: number;
  /**
   * PGlite commits reach the disk before a vote is answered. Only the bench turns this off, to
   * measure what durability costs; no environment variable does.
   * @internal
   */
  durable?: boolean;
}

/** Everything the collector needs, decided once; downstream code never re-checks it. */
export interface CollectorConfig {
  host: string;
  port: number;
  dataDir: string;
  /** PostgreSQL when set, else PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  durable: boolean;
  allowedOrigins: string[];
  /** POSTs per minute per client; 0 = unlimited. */
  rateLimit: number;
  /** How long a voter's vote on a conversation is remembered, in ms; 0 = off. */
  voteWindowMs: number;
  /** Reads per minute per client; 0 = unlimited. */
  readRateLimit: number;
  /** HS256 secrets a vote's `Authorization: Bearer` token must be signed with; none = open. */
  feedbackSecrets: string[];
  /** Required for the team's routes when set; unset = they answer loopback clients only. */
  adminToken: string | undefined;
  /** Opens `/metrics` besides `adminToken` (or loopback); never equal to it. */
  metricsToken: string | undefined;
  /** How many proxies in front append to `X-Forwarded-For`; 0 = the header is ignored. */
  trustProxy: number;
  /** The origin browsers reach the collector at (`https://votes.example.com`), when known. */
  publicOrigin: string | undefined;
  requestTimeoutMs: number;
  shutdownDelayMs: number;
  shutdownGraceMs: number;
  forwardFile: string | undefined;
  forwardMaxAgeMs: number;
  /** What redaction replaces in free text; empty = nothing. */
  redact: Redaction[];
  /** Records received longer ago than this many days are deleted; undefined = kept. */
  retentionDays: number | undefined;
  role: Role;
  logLevel: LogLevel;
  logFormat: 'json' | 'text';
  /** `''` or a path such as `/feedback`, without a trailing slash. */
  basePath: string;
  maxConnections: number;
  /** An http(s) URL with `{trace_id}` where the inbox links a record's trace; unset: no link. */
  traceUrl: string | undefined;
}

/**
 * A setting the collector cannot start with. The message names it as it was given: the option
 * of `createCollector` (`basePath`), or the environment variable of `npx feedback-collector`
 * (`BASE_PATH`).
 */
export class CollectorConfigError extends Error {
  constructor(
    /** The setting at fault, as the message names it. */
    readonly variable: string,
    message: string,
  ) {
    super(`\`${variable}\` ${message}`);
    this.name = 'CollectorConfigError';
  }
}

/**
 * How a setting is written: `text`, a `number`, a `window` (`24h`, or a number of ms), a `list`
 * (comma-separated, or an array of strings); `boolean` for the options no variable sets.
 */
export type Kind = 'text' | 'number' | 'window' | 'list' | 'boolean';

/**
 * Every variable: its option, how its text is read, and what `--help` says of it. The order is
 * the order `--help` lists them in.
 */
export const SETTINGS: [
  variable: string,
  option: keyof CollectorOptions,
  Exclude<Kind, 'boolean'>,
  string,
][] = [
  ['PORT', 'port', 'number', 'port to listen on (default 8787; 0 = any free port)'],
  ['HOST', 'host', 'text', 'address to listen on (default 127.0.0.1; 0.0.0.0 for every one)'],
  ['DATA_DIR', 'dataDir', 'text', 'PGlite directory when DATABASE_URL is unset (default .data)'],
  ['DATABASE_URL', 'databaseUrl', 'text', 'PostgreSQL connection string (postgres://…)'],
  ['ROLE', 'role', 'text', 'all (default), web (intake, reads, inbox) or forwarder (sends)'],
  [
    'FEEDBACK_SECRET',
    'feedbackSecret',
    'list',
    'secrets vote tokens must be signed with (unset: votes need no token)',
  ],
  ['ADMIN_TOKEN', 'adminToken', 'text', 'token for the inbox, reads and metrics'],
  [
    'METRICS_TOKEN',
    'metricsToken',
    'text',
    'token for /metrics alone, 32 characters or more; wrong ADMIN_TOKENs never lock it out',
  ],
  [
    'ALLOWED_ORIGINS',
    'allowedOrigins',
    'list',
    'origins allowed cross-origin (default http://localhost:*,http://127.0.0.1:*)',
  ],
  ['PUBLIC_URL', 'publicUrl', 'text', 'the origin browsers reach the collector at'],
  [
    'TRUST_PROXY',
    'trustProxy',
    'number',
    'proxies in front that append X-Forwarded-For (default 0)',
  ],
  ['RATE_LIMIT', 'rateLimit', 'number', 'votes per minute per client (default 120; 0 = none)'],
  [
    'READ_RATE_LIMIT',
    'readRateLimit',
    'number',
    'the team’s requests per minute per client (default 600)',
  ],
  ['VOTE_WINDOW', 'voteWindow', 'window', 'one vote per voter and conversation within (24h)'],
  ['REQUEST_TIMEOUT', 'requestTimeout', 'number', 'seconds a request may take to arrive (30)'],
  [
    'SHUTDOWN_DELAY',
    'shutdownDelay',
    'number',
    'seconds SIGTERM keeps serving, /readyz answering 503, before it stops taking connections (0)',
  ],
  [
    'FORWARD_FILE',
    'forwardFile',
    'text',
    'JSON file of the vendor APIs votes are forwarded to, and of alerts',
  ],
  ['FORWARD_MAX_AGE', 'forwardMaxAge', 'window', 'how long a delivery is retried (default 7d)'],
  ['REDACT', 'redact', 'list', 'redacted from free text: email,phone,card (default) or off'],
  ['RETENTION', 'retention', 'text', 'delete records received longer ago: 30d, 365d… (off)'],
  ['MAX_CONNECTIONS', 'maxConnections', 'number', 'open connections at most (default 10000)'],
  ['BASE_PATH', 'basePath', 'text', 'path the routes start at, e.g. /feedback (default none)'],
  ['TRACE_URL', 'traceUrl', 'text', 'where the inbox links a vote’s trace: a URL with {trace_id}'],
  ['LOG_LEVEL', 'logLevel', 'text', 'debug, info (default), warn or error'],
  ['LOG_FORMAT', 'logFormat', 'text', 'json (default when output is not a terminal) or text'],
];

/** How each option is written: as its variable, or for those no variable sets, as said here. */
export const OPTION_KINDS = {
  ...Object.fromEntries(SETTINGS.map(([, option, kind]) => [option, kind])),
  shutdownGraceMs: 'number',
  durable: 'boolean',
} as Readonly<Record<keyof CollectorOptions, Kind>>;

/** Whose names a refusal uses: the options' (`basePath`) or the environment's (`BASE_PATH`). */
export type Naming = 'options' | 'environment';

const VARIABLES = new Map(SETTINGS.map(([variable, option]) => [option, variable]));

type Name = (option: keyof CollectorOptions) => string;

/** Names `option` as `naming` says: as the option itself, or as its environment variable. */
export const namer =
  (naming: Naming): Name =>
  (option) =>
    naming === 'environment' ? (VARIABLES.get(option) ?? option) : option;

const LOCALHOST = ['http://localhost:*', 'http://127.0.0.1:*'];

const fail = (name: string, problem: string): never => {
  throw new CollectorConfigError(name, problem);
};

function whole(
  value: number | undefined,
  name: string,
  min: number,
  max: number,
  fallback: number,
) {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(name, `must be a whole number from ${min} to ${max}: "${value}"`);
  }
  return value;
}

function windowMs(value: string | number | undefined, name: string, fallback: string): number {
  if (typeof value === 'number' && !(value >= 0)) {
    fail(name, `must be a number of ms from 0: ${value}`);
  }
  const text = typeof value === 'number' ? `${value}` : value || fallback;
  const ms =
    typeof value === 'number'
      ? value
      : (parseWindow(text) ?? fail(name, `must be like 30m, 24h, 7d, forever or off: "${text}"`));
  if (Number.isFinite(ms) && ms > MAX_DURATION_MS) {
    fail(name, `must be at most ${MAX_DAYS}d (100 years), or forever: "${text}"`);
  }
  return ms;
}

/**
 * The items of a list setting, trimmed; undefined when it is unset. Blank text is unset, as an
 * empty variable is; an empty list in code says "none".
 */
function list(value: string | readonly string[] | undefined): string[] | undefined {
  if (value === undefined || (typeof value === 'string' && value.trim() === '')) return undefined;
  return (typeof value === 'string' ? value.split(',') : value).map((item) => item.trim());
}

/**
 * Each an origin as a browser sends it, `*` standing for any characters of the host or any port:
 * an entry with no scheme, with a path, or `*` alone would never match an `Origin` and so would
 * refuse every site it was meant to allow.
 */
function origins(value: string | string[] | undefined, name: string): string[] {
  const all = list(value)?.filter(Boolean);
  if (all === undefined) return LOCALHOST;
  for (const origin of all) {
    if (!/^https?:\/\/[^/?#\s@]+\/?$/i.test(origin)) {
      fail(
        name,
        `must be comma-separated origins, each a scheme and host with an optional port, such as https://help.example.com or http://localhost:* (no path; * stands for any characters of the host or any port): "${origin}"`,
      );
    }
    if (Number(/:(\d+)\/?$/.exec(origin)?.[1] ?? 0) > 65_535) {
      fail(name, `has a port above 65535, which no page is served from: "${origin}"`);
    }
  }
  return all;
}

/**
 * Empty is unset, as for every variable, and takes votes from anyone; blank is not: a secret
 * store that hands over whitespace must not open intake (a blank `ADMIN_TOKEN` is refused too).
 */
function secrets(value: string | string[] | undefined, name: string): string[] {
  const blank = typeof value === 'string' && value !== '' && value.trim() === '';
  const all = blank ? [''] : (list(value) ?? []);
  if (all.some((secret) => secret.length < 32)) {
    fail(
      name,
      'must be one or more comma-separated secrets of at least 32 characters each (try `openssl rand -hex 32`).',
    );
  }
  return all;
}

function adminToken(value: string | undefined, name: string): string | undefined {
  if (!value) return undefined;
  if (value.length < 16 || /[\s:]/.test(value)) {
    fail(
      name,
      'must be at least 16 characters with no spaces or colons (try `openssl rand -hex 32`).',
    );
  }
  return value;
}

/**
 * Checked whatever wrong `ADMIN_TOKEN`s its client sent (http/pipeline.ts), so it must be too
 * long to guess online, and other than `ADMIN_TOKEN`, which a guess on `/metrics` would confirm.
 */
function metricsToken(
  value: string | undefined,
  name: string,
  admin: string | undefined,
  adminName: string,
): string | undefined {
  if (!value) return undefined;
  if (value.length < 32 || /[\s:]/.test(value)) {
    fail(
      name,
      'must be at least 32 characters with no spaces or colons (try `openssl rand -hex 32`).',
    );
  }
  if (value === admin) fail(name, `must differ from \`${adminName}\`.`);
  return value;
}

function publicOrigin(text: string | undefined, name: string): string | undefined {
  if (!text) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {}
  if (!url || !/^https?:$/.test(url.protocol) || (url.pathname !== '/' && url.pathname !== '')) {
    fail(
      name,
      `must be the http(s) origin browsers reach the collector at, such as https://votes.example.com: "${text}"`,
    );
  }
  return (url as URL).origin;
}

function oneOf<T extends string>(value: string | undefined, name: string, allowed: T[]): T {
  if (value === undefined || value === '') return allowed[0] as T;
  return allowed.includes(value as T)
    ? (value as T)
    : fail(name, `must be one of ${allowed.join(', ')}: "${value}"`);
}

function redactions(value: string | Redaction[] | undefined, name: string): Redaction[] {
  // Trimmed, as the list's items are: ` off` is off.
  if (typeof value === 'string' && value.trim() === 'off') return [];
  const named = list(value);
  if (named === undefined) return [...REDACTIONS];
  for (const item of named) {
    if (!(REDACTIONS as readonly string[]).includes(item)) {
      fail(name, `must be off or a comma-separated list of ${REDACTIONS.join(', ')}: "${item}"`);
    }
  }
  return REDACTIONS.filter((kind) => named.includes(kind));
}

function retentionDays(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '' || value === 'off') return undefined;
  const days = /^([1-9]\d{0,4})d$/.exec(value.trim())?.[1];
  if (days === undefined || Number(days) > MAX_DAYS) {
    return fail(
      name,
      `must be off or a number of days from 1d to ${MAX_DAYS}d, such as 30d or 365d: "${value}"`,
    );
  }
  return Number(days);
}

function basePath(value: string | undefined, name: string): string {
  if (!value || value === '/') return '';
  if (!/^(\/[A-Za-z0-9._~-]+)+\/?$/.test(value)) {
    fail(name, `must be a path such as /feedback: "${value}"`);
  }
  // A URL's `.` and `..` are resolved before any route sees them, so no request could match.
  if (value.split('/').some((segment) => segment === '.' || segment === '..')) {
    fail(name, `must not hold . or .. segments: "${value}"`);
  }
  return value.replace(/\/$/, '');
}

function traceUrl(value: string | undefined, name: string): string | undefined {
  if (!value) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value.replaceAll('{trace_id}', 'trace'));
  } catch {}
  if (!url || !/^https?:$/.test(url.protocol) || !value.includes('{trace_id}')) {
    fail(
      name,
      `must be an http(s) URL holding {trace_id}, such as https://cloud.langfuse.com/project/p1/traces/{trace_id}: "${value}"`,
    );
  }
  return value;
}

/**
 * Checks every option and fills in the defaults of those left out; a bad one is named as
 * `naming` says, as the option (`basePath`) or as its environment variable (`BASE_PATH`).
 */
export function resolveCollectorConfig(
  options: CollectorOptions = {},
  interactive = false,
  naming: Naming = 'options',
): CollectorConfig {
  const name = namer(naming);
  const databaseUrl = options.databaseUrl || undefined;
  // Only the scheme is quoted: the rest may hold the password. libpq's `host=… password=…`
  // form has none, and node-postgres would take it for a host name.
  const [, scheme, slashes] = /^([a-z][a-z0-9+.-]*):(\/\/)?/i.exec(databaseUrl ?? '') ?? [];
  if (
    databaseUrl !== undefined &&
    !['postgres', 'postgresql', 'socket'].includes(scheme?.toLowerCase() ?? '')
  ) {
    const given =
      scheme === undefined
        ? 'got one without a scheme'
        : `"${scheme.toLowerCase()}:${slashes ?? ''}…"`;
    fail(name('databaseUrl'), `must be a PostgreSQL connection string, postgres://…: ${given}`);
  }
  const role = oneOf(options.role, name('role'), ['all', 'web', 'forwarder']);
  if (role !== 'all' && databaseUrl === undefined) {
    fail(
      name('role'),
      `${role} needs ${name('databaseUrl')}: PGlite belongs to one process, which takes all.`,
    );
  }
  return {
    host: options.host || '127.0.0.1',
    port: whole(options.port, name('port'), 0, 65_535, 8787),
    dataDir: options.dataDir || '.data',
    databaseUrl,
    durable: options.durable ?? true,
    allowedOrigins: origins(options.allowedOrigins, name('allowedOrigins')),
    rateLimit: whole(options.rateLimit, name('rateLimit'), 0, 1_000_000, 120),
    voteWindowMs: windowMs(options.voteWindow, name('voteWindow'), '24h'),
    readRateLimit: whole(options.readRateLimit, name('readRateLimit'), 0, 1_000_000, 600),
    feedbackSecrets: secrets(options.feedbackSecret, name('feedbackSecret')),
    adminToken: adminToken(options.adminToken, name('adminToken')),
    metricsToken: metricsToken(
      options.metricsToken,
      name('metricsToken'),
      options.adminToken,
      name('adminToken'),
    ),
    trustProxy: whole(options.trustProxy, name('trustProxy'), 0, 10, 0),
    publicOrigin: publicOrigin(options.publicUrl, name('publicUrl')),
    requestTimeoutMs: whole(options.requestTimeout, name('requestTimeout'), 1, 3600, 30) * 1000,
    shutdownDelayMs: whole(options.shutdownDelay, name('shutdownDelay'), 0, 300, 0) * 1000,
    shutdownGraceMs: whole(options.shutdownGraceMs, name('shutdownGraceMs'), 0, 3_600_000, 5_000),
    forwardFile: options.forwardFile || undefined,
    forwardMaxAgeMs: windowMs(options.forwardMaxAge, name('forwardMaxAge'), '7d'),
    redact: redactions(options.redact, name('redact')),
    retentionDays: retentionDays(options.retention, name('retention')),
    role,
    logLevel: oneOf(options.logLevel, name('logLevel'), ['info', 'debug', 'warn', 'error']),
    logFormat: !options.logFormat
      ? interactive
        ? 'text'
        : 'json'
      : oneOf(options.logFormat, name('logFormat'), ['json', 'text']),
    basePath: basePath(options.basePath, name('basePath')),
    maxConnections: whole(options.maxConnections, name('maxConnections'), 1, 1_000_000, 10_000),
    traceUrl: traceUrl(options.traceUrl, name('traceUrl')),
  };
}

/**
 * Read as written, where every other single value is trimmed (an `.env` file or a template keeps
 * a space typed after `ROLE=web `): a path may hold spaces at its ends, and a token's spaces are
 * refused rather than guessed away. A list's items are trimmed one by one (`list`), and a list of
 * spaces alone stays itself, for `secrets` to refuse.
 */
const VERBATIM = new Set(['DATA_DIR', 'FORWARD_FILE', 'ADMIN_TOKEN', 'METRICS_TOKEN']);

/** The options the environment sets, an empty variable left unset: numbers read as numbers. */
export function optionsFromEnv(env: NodeJS.ProcessEnv): CollectorOptions {
  const options: Record<string, unknown> = {};
  for (const [variable, option, kind] of SETTINGS) {
    const text = env[variable];
    if (text === undefined || text === '') continue;
    // Empty is unset; spaces alone in a single value are a template filled with nothing, which
    // would make a directory named by spaces or a token anyone could guess (a blank list is unset).
    if (kind === 'text' && text.trim() === '') {
      fail(variable, 'is only spaces: leave it empty for the default');
    }
    if (kind === 'number') {
      // A decimal passes here so the range check can name it with the bounds.
      options[option] = /^\s*-?\d{1,9}(\.\d+)?\s*$/.test(text)
        ? Number(text)
        : fail(variable, `must be a whole number: "${text}"`);
    } else options[option] = kind === 'list' || VERBATIM.has(variable) ? text : text.trim();
  }
  return options as CollectorOptions;
}

/** Reads the collector's environment variables, as `npx feedback-collector` does. */
export function configFromEnv(env: NodeJS.ProcessEnv, interactive = false): CollectorConfig {
  return resolveCollectorConfig(optionsFromEnv(env), interactive, 'environment');
}
