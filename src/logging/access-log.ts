import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { errorReasonOf } from '../common/error-envelope';
import { type ClientErrorAnswer, wasAnsweredOnSocket } from '../common/http/client-error';
import { wasCutAtShutdown } from '../common/http/pre-routing-server';
import { traceIdOf } from '../common/http/trace-context';
import { assignRequestId } from '../common/request-id';
import { shorten } from '../common/shorten';
import { ROOT_LOGGER } from './root-logger';

const HEALTH_PATH = /^\/health(?:\/|$)/;
/**
 * Client-chosen values (path, origin, user agent, an error message quoting them) are cut to this
 * many characters: a line stays well under the 16 KB at which Docker's log driver splits it.
 */
const LOG_VALUE_LIMIT = 200;

/**
 * One JSON line per response: request id, the W3C trace id when the caller sent a valid
 * `traceparent`, method, path (no query), status, duration, response size, origin, user agent, and
 * for an error the `error` message it carried (every 400 would look alike without it). Cookies,
 * credentials and bodies are never logged. Health probes log at debug so they do not drown the
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
  /**
   * `requestPath` is the request's path (requestPath), read before routing: middleware mounted at
   * a path (Swagger UI's) rewrites `req.url` before the end.
   */
  track(req: IncomingMessage, res: ServerResponse, requestPath: string | undefined): void {
    const id = assignRequestId(req, res);
    const start = performance.now();
    // A target with no usable path was refused with a 400; it is not logged raw.
    const path = shorten(requestPath ?? '?', LOG_VALUE_LIMIT);
    res.once('close', () => {
      // A response never completed has no status the client saw: it is logged as aborted, with
      // no status (unless an answer was written on the socket itself, like a 408).
      const completed = res.writableFinished || wasAnsweredOnSocket(res);
      const status = res.statusCode;
      const level =
        completed && status >= 500 ? 'error' : HEALTH_PATH.test(path) ? 'debug' : 'info';
      if (!this.logger.isLevelEnabled(level)) return;
      const { origin } = req.headers;
      const userAgent = req.headers['user-agent'];
      const bytes = Number(res.getHeader('content-length') ?? (status === 204 ? 0 : NaN));
      const reason = completed && status >= 400 ? errorReasonOf(res) : undefined;
      // One object literal with absent fields undefined (pino leaves them out), rather than
      // conditional spreads that build throwaway objects on every line.
      this.logger[level](
        {
          reqId: id,
          traceId: traceIdOf(req),
          method: req.method,
          path,
          status: completed ? status : undefined,
          aborted: completed ? undefined : true,
          cut: !completed && wasCutAtShutdown(res) ? true : undefined,
          ms: Math.round((performance.now() - start) * 10) / 10,
          bytes: completed && Number.isFinite(bytes) ? bytes : undefined,
          reason: reason === undefined ? undefined : shorten(reason, LOG_VALUE_LIMIT),
          origin: origin === undefined ? undefined : shorten(origin, LOG_VALUE_LIMIT),
          userAgent: userAgent === undefined ? undefined : shorten(userAgent, LOG_VALUE_LIMIT),
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
