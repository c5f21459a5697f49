import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { Logger } from 'pino';
import type { Options } from 'pino-http';
import { assignRequestId } from '../common/request-id';
import { AppConfig } from '../config/app.config';

const HEALTH_PATH = /^\/health(\/|\?|$)/;

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

/**
 * Access logs: one line per response, with the request id. Only method, path and status are
 * logged — never headers (cookies, authorization) or bodies. Health probes log at debug so they
 * do not drown the info-level log.
 */
export function httpLoggerOptions(logger: Logger): Options {
  return {
    logger,
    genReqId: assignRequestId,
    customLogLevel: (req: IncomingMessage, res: ServerResponse, error?: Error) => {
      if (error !== undefined || res.statusCode >= 500) return 'error';
      return HEALTH_PATH.test(req.url ?? '') ? 'debug' : 'info';
    },
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        path: req.url.split('?')[0],
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
}

function isInstalled(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}
