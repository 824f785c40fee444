import { getPriority, setPriority } from 'node:os';
import { stdout } from 'node:process';
import { type CreateCollectorOptions, createCollector, DatabaseOpenError } from './collector';
import {
  type CollectorConfig,
  CollectorConfigError,
  configFromEnv,
  optionsFromEnv,
  SETTINGS,
} from './config';
import { createLogger, type Logger } from './observe/logger';
import { VERSION } from './package';

export interface CliOptions {
  /** Routes served beside the collector's on its port (the demo's pages). */
  wrap?: CreateCollectorOptions['wrap'];
  /** Lines printed after the collector's own once it listens, given its URL. */
  banner?: (url: string) => string[];
}

function help(): string {
  const width = Math.max(...SETTINGS.map(([variable]) => variable.length));
  return [
    `feedback-collector ${VERSION}: the feedback-widget collector (intake, inbox, forwarding).`,
    '',
    'Usage: npx feedback-collector [--help] [--version]',
    '',
    'Configured by environment variables:',
    ...SETTINGS.map(([variable, , , text]) => `  ${variable.padEnd(width)}  ${text}`),
    '',
    'Docs: https://github.com/feedback-widget/feedback-widget#the-collector',
  ].join('\n');
}

/**
 * Start-up failures an operator can fix, as one line naming the setting (a database that cannot
 * be opened with the driver's stack at debug level); anything else in full.
 */
function describe(error: unknown): { message: string; error?: unknown; debug?: unknown } {
  if (error instanceof CollectorConfigError) return { message: error.message };
  if (error instanceof DatabaseOpenError) {
    return { message: `The collector could not start: ${error.message}`, debug: error.cause };
  }
  const { code, address, port, hostname } = error as NodeJS.ErrnoException & {
    address?: string;
    port?: number;
    hostname?: string;
  };
  if (code === 'EADDRINUSE')
    return { message: `\`PORT\` ${port} is already in use on ${address}.` };
  if (code === 'EACCES' && port !== undefined) {
    return { message: `\`PORT\` ${port} on ${address} needs privileges this user lacks.` };
  }
  if (code === 'EADDRNOTAVAIL') {
    return { message: `\`HOST\` ${address} is not an address of this machine.` };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return { message: `\`HOST\` "${hostname}" could not be resolved to an address (${code}).` };
  }
  return { message: `The collector could not start: ${(error as Error).message}`, error };
}

/**
 * A logger for what happens before the collector has its own: the log settings as given, or the
 * defaults when they are themselves what is wrong. Only they are read, so that another bad
 * variable is reported in the format asked for.
 */
function startupLogger(env: NodeJS.ProcessEnv, interactive: boolean): Logger {
  try {
    const { LOG_LEVEL, LOG_FORMAT } = env;
    return createLogger(configFromEnv({ LOG_LEVEL, LOG_FORMAT }, interactive));
  } catch {
    return createLogger({ logLevel: 'info', logFormat: interactive ? 'text' : 'json' });
  }
}

/**
 * What the collector says once it listens, its URLs below the base path it serves at. A
 * forwarder takes no votes and serves no inbox, so it says nothing of FEEDBACK_SECRET and only
 * who may read its metrics.
 */
function lines(config: CollectorConfig, base: string): string[] {
  const storing = config.databaseUrl
    ? `Storing votes in PostgreSQL (DATABASE_URL), role ${config.role}.`
    : `Storing votes in PGlite at ${config.dataDir}.`;
  const retention =
    config.retentionDays === undefined
      ? 'Records are kept for good: set RETENTION (such as 365d) to delete older ones.'
      : `Records received over ${config.retentionDays} days ago are deleted (RETENTION).`;
  if (config.role === 'forwarder') {
    return [
      `Forwarding deliveries and alerts; serving ${base}healthz, ${base}readyz and ${base}metrics only.`,
      storing,
      metricsLine(config),
      forwardingLine(config, base),
      retention,
    ];
  }
  return [
    `Inbox: ${base}dashboard`,
    storing,
    config.feedbackSecrets.length > 0
      ? 'Votes need a token signed with FEEDBACK_SECRET.'
      : 'Votes are open to anyone: set FEEDBACK_SECRET to require signed tokens.',
    config.adminToken
      ? 'The inbox, reads and metrics need ADMIN_TOKEN.'
      : 'The inbox, reads and metrics answer this machine only: set ADMIN_TOKEN to use them from elsewhere.',
    forwardingLine(config, base),
    retention,
  ];
}

/** Who may read a forwarder's `/metrics`, the one route of its own it guards. */
function metricsLine(config: CollectorConfig): string {
  if (config.adminToken) {
    return `Its metrics need ADMIN_TOKEN${config.metricsToken ? ' or METRICS_TOKEN' : ''}.`;
  }
  return config.metricsToken
    ? 'Its metrics answer this machine, and METRICS_TOKEN from elsewhere.'
    : 'Its metrics answer this machine only: set METRICS_TOKEN or ADMIN_TOKEN to scrape them from elsewhere.';
}

/** Where votes go beside the database, and where the team sees how their deliveries fare. */
function forwardingLine(config: CollectorConfig, base: string): string {
  if (config.forwardFile === undefined) {
    return 'Votes are forwarded nowhere: set FORWARD_FILE to send them to Langfuse or your own API.';
  }
  if (config.role === 'web') {
    return `Deliveries to the destinations in ${config.forwardFile} are written for a ROLE=forwarder to send; how they fare: ${base}dashboard?view=figures`;
  }
  if (config.role === 'forwarder') return `Sending to the destinations in ${config.forwardFile}.`;
  return `Forwarding to the destinations in ${config.forwardFile}; how they fare: ${base}dashboard?view=figures`;
}

/** How much lower than its start a forwarder's CPU priority is (a nice value). */
const FORWARDER_NICENESS = 10;

/**
 * A forwarder sharing a machine with web processes lowers its CPU priority: votes are taken
 * first, and deliveries, already durable in the database, catch up when intake is idle. Alone
 * on a machine it loses nothing, as nothing else competes.
 */
function yieldToIntake(logger: Logger): void {
  try {
    setPriority(Math.min(19, getPriority() + FORWARDER_NICENESS));
  } catch (error) {
    logger.warn({ err: error }, 'The forwarder could not lower its CPU priority.');
  }
}

/**
 * A bug no handler caught (a throw in a timer, a rejection nothing awaits) ends the process as
 * Node would, with exit code 1, but said in one log line like every other (JSON under
 * `LOG_FORMAT=json`) carrying the error's type, message and stack, not Node's text on stderr.
 */
function exitOnBugs(logger: () => Logger): void {
  process.on('uncaughtException', (error, origin) => {
    logger().error(
      { err: error },
      origin === 'unhandledRejection'
        ? 'Unhandled rejection: the collector stops.'
        : 'Uncaught exception: the collector stops.',
    );
    process.exit(1);
  });
}

/**
 * `npx feedback-collector`: the collector as the environment configures it, until SIGINT or
 * SIGTERM, which let the requests in flight finish. Resolves with the exit code for a flag.
 */
export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
  cli: CliOptions = {},
): Promise<void> {
  const [flag] = argv;
  if (flag === '--help' || flag === '-h') {
    stdout.write(`${help()}\n`);
    return;
  }
  if (flag === '--version' || flag === '-v') {
    stdout.write(`${VERSION}\n`);
    return;
  }
  const interactive = stdout.isTTY === true;
  let logger = startupLogger(env, interactive);
  exitOnBugs(() => logger);
  if (flag !== undefined) {
    logger.error(`Unknown argument \`${flag}\`: try --help.`);
    process.exit(2);
  }
  // Listening before start-up: a signal that arrives while the database opens stops the
  // collector once it is up, instead of killing it halfway.
  let signalled: string | undefined;
  let stop = (signal: string) => {
    signalled = signal;
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  try {
    // The environment checked first, so a bad variable is named as the variable; the collector
    // reads FORWARD_FILE itself, and names it so too.
    const config = configFromEnv(env, interactive);
    const options: CreateCollectorOptions = {
      ...optionsFromEnv(env),
      env,
      interactive,
      naming: 'environment',
    };
    const collector = createCollector(cli.wrap ? { ...options, wrap: cli.wrap } : options);
    logger = collector.logger;
    const { url } = await collector.listen();
    if (config.role === 'forwarder') yieldToIntake(logger);
    stop = (signal: string) => {
      logger.info(
        config.shutdownDelayMs > 0
          ? `${signal}: /readyz answers 503; taking requests for SHUTDOWN_DELAY ${config.shutdownDelayMs / 1000} s, then finishing those in flight and stopping.`
          : `${signal}: finishing requests in flight, then stopping.`,
      );
      collector.close().then(
        () => process.exit(0),
        (error) => {
          logger.error({ err: error }, 'Shutdown failed.');
          process.exit(1);
        },
      );
    };
    if (signalled !== undefined) {
      stop(signalled);
      return;
    }
    const base = new URL(`${config.basePath}/`, url).href;
    logger.info({ url: base, version: VERSION }, `feedback-widget collector: ${base}`);
    for (const line of [...lines(config, base), ...(cli.banner?.(url) ?? [])]) {
      logger.info(line);
    }
  } catch (error) {
    const { message, error: cause, debug } = describe(error);
    if (debug !== undefined) logger.debug({ err: debug }, 'Why the database could not be opened.');
    logger.error(cause === undefined ? {} : { err: cause }, message);
    process.exit(1);
  }
}
