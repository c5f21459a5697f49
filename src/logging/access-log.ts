import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { ClientErrorAnswer } from '../common/http/client-error';
import { requestPath } from '../common/http/request-target';
import { traceIdOf } from '../common/http/trace-context';
import { assignRequestId } from '../common/request-id';
import { ROOT_LOGGER } from './root-logger';

const HEALTH_PATH = /^\/health(?:\/|$)/;

/**
 * One JSON line per response: request id, the W3C trace id when the caller sent a valid
 * `traceparent`, method, path (no query), status, duration. Headers, cookies and bodies are never
 * logged. Health probes log at debug so they do not drown the
 * info-level log; 5xx at error.
 *
 * Not pino-http: profiling showed its per-request child logger and serializers cost about 15% of
 * the service's throughput, even at LOG_LEVEL=silent. This writes through the same pino logger.
 */
@Injectable()
export class AccessLog {
  constructor(@Inject(ROOT_LOGGER) private readonly logger: Logger) {}

  /**
   * Gives the request its id and logs the response when its connection is done with it: 'close'
   * also fires for requests the client aborted or a shutdown cut, which 'finish' would miss.
   */
  track(req: IncomingMessage, res: ServerResponse): void {
    const id = assignRequestId(req, res);
    const start = performance.now();
    // Read now: middleware mounted at a path (Swagger UI's) rewrites `req.url` before the end. A
    // target with no usable path was refused with a 400; it is not logged raw.
    const path = requestPath(req) ?? '?';
    res.once('close', () => {
      const completed = res.writableFinished;
      const status = res.statusCode;
      const level = status >= 500 ? 'error' : HEALTH_PATH.test(path) ? 'debug' : 'info';
      if (!this.logger.isLevelEnabled(level)) return;
      const traceId = traceIdOf(req);
      this.logger[level](
        {
          reqId: id,
          ...(traceId === undefined ? {} : { traceId }),
          method: req.method,
          path,
          status,
          ms: Math.round((performance.now() - start) * 10) / 10,
          ...(completed ? {} : { aborted: true }),
        },
        completed ? 'request completed' : 'request aborted',
      );
    });
  }

  /** The line for an answer Node's HTTP parser provoked (no Host, headers too large, a timeout). */
  clientError({ status, code, requestId }: ClientErrorAnswer): void {
    this.logger.info({ reqId: requestId, status, code }, 'request refused by the HTTP parser');
  }
}
