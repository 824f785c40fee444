import pino from 'pino';
import pretty from 'pino-pretty';
import type { CollectorConfig } from '../config';

export type Logger = pino.Logger;

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
 * Standard output, written once per turn of the event loop with every line of that turn: under
 * load a turn answers many requests, and a write per line cost an eighth of a vote's time. The
 * writes are synchronous, so no line waits for a later turn or is lost when the process exits.
 */
function batchedStdout(): LogDestination {
  shared ??= batch(pino.destination({ dest: 1, sync: true }));
  return shared;
}

/** One per process: every collector in it writes to the same standard output. */
let shared: LogDestination | undefined;

function batch(stdout: LogDestination): LogDestination {
  let lines: string[] = [];
  const flush = () => {
    const text = lines.join('');
    lines = [];
    stdout.write(text);
  };
  process.once('exit', () => {
    if (lines.length > 0) flush();
  });
  return {
    write(line) {
      if (lines.push(line) === 1) setImmediate(flush);
    },
  };
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
  return pino(options, batchedStdout());
}
