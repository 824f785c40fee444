import pino from 'pino';
import pretty from 'pino-pretty';
import type { CollectorConfig } from '../config';

export type Logger = pino.Logger;

const FLUSH_EVERY_MS = 1000;

/** Where log lines go instead of standard output: one JSON text per call. */
export interface LogDestination {
  write(line: string): void;
}

/**
 * An error as a log line carries it: its kind, message, code and stack. Never its other fields:
 * a database error's `detail` and `where` can quote the values of the row that failed.
 */
function error(value: unknown) {
  if (!(value instanceof Error)) return { message: String(value) };
  const { code } = value as NodeJS.ErrnoException;
  return { type: value.name, message: value.message, code, stack: value.stack };
}

/**
 * The collector's logger (SPEC §14): JSON lines with `time`, `level` and `msg`, or a readable
 * line per entry on a terminal. Headers that carry secrets are censored should a line ever hold
 * one; nothing the collector logs is meant to.
 */
export function createLogger(
  config: Pick<CollectorConfig, 'logLevel' | 'logFormat'>,
  destination?: LogDestination,
): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: null,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: error },
    redact: {
      paths: ['authorization', '*.authorization', 'headers.cookie', '*.headers.cookie'],
      censor: '[redacted]',
    },
  };
  if (destination) return pino(options, destination);
  if (config.logFormat === 'text') {
    return pino(
      options,
      pretty({ sync: true, singleLine: true, ignore: 'url,version', translateTime: 'HH:MM:ss' }),
    );
  }
  // Lines are gathered up to 4 KiB and written at least every second: one write per request
  // cost an eighth of a vote's time. What is gathered is written when the process exits, by
  // an error too; only a SIGKILL can take the last second's lines.
  const stdout = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  setInterval(() => stdout.flush(), FLUSH_EVERY_MS).unref();
  process.once('exit', () => stdout.flushSync());
  return pino(options, stdout);
}
