import pino, { Logger } from 'pino';
import { AppConfig } from '../config/app.config';

/** The one pino logger: Nest's logs (via nestjs-pino) and the access log write through it. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/**
 * JSON lines in production (what log shippers parse); pretty, coloured lines in development when
 * pino-pretty (a dev dependency) is installed.
 */
export function createRootLogger(config: Pick<AppConfig, 'nodeEnv' | 'logLevel'>): Logger {
  const pretty = config.nodeEnv === 'development' && isInstalled('pino-pretty');
  return pino({
    level: config.logLevel,
    transport: pretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
  });
}

function isInstalled(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}
