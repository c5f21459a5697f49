import { hostname } from 'node:os';
import pino, { Logger } from 'pino';
import { APP_NAME, APP_VERSION } from '../common/app-version';
import { AppConfig } from '../config/app.config';

/** The one pino logger: Nest's logs (via nestjs-pino) and the access log write through it. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

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
  // Synchronous writes, one per line. Asynchronous ones kept every line queued behind the write in
  // flight: under a flood of requests the queue outgrew the young generation and the peak RSS rose
  // by ~90 MiB for no throughput gain (docs/performance.md). A log reader that cannot keep up now
  // slows the service down instead of filling its memory.
  return pino(
    {
      level: config.logLevel,
      base: { service: APP_NAME, version: APP_VERSION, pid: process.pid, hostname: hostname() },
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pino.destination({ dest: 1, sync: true }),
  );
}

function isInstalled(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}
