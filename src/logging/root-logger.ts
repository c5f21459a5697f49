import { hostname } from 'node:os';
import pino, { Logger, LoggerOptions } from 'pino';
import { APP_NAME, APP_VERSION } from '../common/app-version';
import { AppConfig } from '../config/app.config';
import { FdLineWriter } from './fd-line-writer';

/** The one pino logger: Nest's logs (via nestjs-pino) and the access log write through it. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

const LOG_BATCH_BYTES = 16 * 1024;
const LOG_FLUSH_MS = 100;

/**
 * JSON lines in production (what log shippers parse); pretty, coloured lines in development when
 * pino-pretty (a dev dependency) is installed.
 */
export function createRootLogger(config: Pick<AppConfig, 'nodeEnv' | 'logLevel'>): Logger {
  if (config.nodeEnv === 'development' && isInstalled('pino-pretty')) {
    return pino({
      level: config.logLevel,
      transport: { target: 'pino-pretty', options: { singleLine: true } },
    });
  }
  // What log pipelines index without a parser of their own: the level as a word, an ISO time,
  // and on every line which service and version wrote it (and the pod, as hostname).
  // Synchronous writes of up to LOG_BATCH_BYTES at a time from one reused buffer (FdLineWriter
  // says why not sonic-boom, and why not asynchronous); a line waits at most LOG_FLUSH_MS, and
  // the process flushes what is left when it exits.
  return withJsonDestination(
    pino(rootLoggerOptions(config), stdoutDestination()),
    stdoutDestination(),
  );
}

/** The production logger's options: what every JSON line starts with (access-log.spec uses them). */
export function rootLoggerOptions(config: Pick<AppConfig, 'logLevel'>): LoggerOptions<never> {
  return {
    level: config.logLevel,
    base: { service: APP_NAME, version: APP_VERSION, pid: process.pid, hostname: hostname() },
    formatters: { level: (label) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
}

/** Where a logger writes JSON lines, for lines built as strings (the access log). */
const jsonDestinations = new WeakMap<Logger, { write(line: string): unknown }>();

/** Remembers that `logger` writes JSON lines to `destination` (see jsonLineSink). */
export function withJsonDestination(
  logger: Logger,
  destination: { write(line: string): unknown },
): Logger {
  jsonDestinations.set(logger, destination);
  return logger;
}

/**
 * The destination `logger` writes its JSON lines to, when it writes JSON (not pretty lines in
 * development): a line appended there comes out exactly like the logger's own lines.
 */
export function jsonLineSink(logger: Logger): { write(line: string): unknown } | undefined {
  return jsonDestinations.get(logger);
}

let stdout: FdLineWriter | undefined;

/** One for the process (tests create many apps): one flush timer, one exit hook. */
function stdoutDestination(): FdLineWriter {
  if (stdout === undefined) {
    const batch = new FdLineWriter(1, LOG_BATCH_BYTES);
    setInterval(() => batch.drain(), LOG_FLUSH_MS).unref();
    process.once('exit', () => batch.flushSync());
    stdout = batch;
  }
  return stdout;
}

function isInstalled(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}
