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
  // Asynchronous writes: under load, lines logged while a write is in flight go out together
  // instead of one syscall each; main.ts flushes them before the process exits.
  return pino(
    {
      level: config.logLevel,
      base: { service: APP_NAME, version: APP_VERSION, pid: process.pid, hostname: hostname() },
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pino.destination({ dest: 1, sync: false }),
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
