import pino, { Logger } from 'pino';
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
  // Asynchronous writes: under load, lines logged while a write is in flight go out together
  // instead of one syscall each; pino flushes what is pending when the process exits.
  return pino({ level: config.logLevel }, pino.destination({ dest: 1, sync: false }));
}

function isInstalled(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}
