import { hostname } from 'node:os';
import pino, { Logger, LoggerOptions } from 'pino';
import { APP_NAME, APP_VERSION } from '../common/app-version';
import { AppConfig } from '../config/app.config';

/** The one pino logger: Nest's logs (via nestjs-pino) and the access log write through it. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

const LOG_BATCH_CHARS = 4096;
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
  // Synchronous writes of about LOG_BATCH_CHARS at a time. Asynchronous writes kept every line
  // queued behind the write in flight: under a flood of requests the queue outgrew the young
  // generation and the peak RSS rose by ~90 MiB (docs/performance.md). Batching a few lines per
  // write() gave 8–16% more requests per second than one write per line at the same RSS; a line
  // waits at most LOG_FLUSH_MS, and the process flushes what is left when it exits. A log reader
  // that cannot keep up slows the service down instead of filling its memory.
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

/** What the root logger writes to: a line batch in front of a synchronous stdout. */
export interface LineDestination {
  write(line: string): boolean;
  flush(callback?: (error?: Error) => void): void;
  flushSync(): void;
}

/**
 * Gathers lines into one write of about `limit` characters. sonic-boom's own batching
 * (minLength) measures the UTF-8 length of its whole pending buffer on every line, a cost that
 * grows with the batch; here a line costs one string append, and the byte count is taken once
 * per write.
 */
export class LineBatch implements LineDestination {
  private pending = '';

  constructor(
    private readonly out: {
      write(data: string): unknown;
      flush(cb?: (e?: Error) => void): void;
      flushSync(): void;
    },
    private readonly limit: number,
  ) {}

  write(line: string): boolean {
    this.pending += line;
    if (this.pending.length >= this.limit) this.drain();
    return true;
  }

  /** Hands what is pending to the output (the periodic flush and the two flushes below). */
  drain(): void {
    if (this.pending === '') return;
    const chunk = this.pending;
    this.pending = '';
    this.out.write(chunk);
  }

  flush(callback?: (error?: Error) => void): void {
    this.drain();
    this.out.flush(callback);
  }

  flushSync(): void {
    this.drain();
    this.out.flushSync();
  }
}

let stdout: LineBatch | undefined;

/** One for the process (tests create many apps): one flush timer, one exit hook. */
function stdoutDestination(): LineBatch {
  if (stdout === undefined) {
    const batch = new LineBatch(pino.destination({ dest: 1, sync: true }), LOG_BATCH_CHARS);
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
