import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Histogram } from 'prom-client';

/** The request histogram most Nest services expose, on prom-client's default registry. */
export const httpRequestDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'Duration of HTTP requests in seconds',
  labelNames: ['method', 'route', 'status_code'] as const,
});

/**
 * Times every request that reaches Nest's middleware, as a typical app does: a timer per request,
 * a label object when the response finishes, the matched route pattern (not the raw URL, which
 * would make one series per path). Preflights answered by `enableCors` never get here.
 */
@Injectable()
export class RequestDurationMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    const end = httpRequestDuration.startTimer();
    res.once('finish', () => {
      const route: unknown = req.route?.path;
      end({
        method: req.method,
        route: typeof route === 'string' ? route : 'unmatched',
        status_code: String(res.statusCode),
      });
    });
    next();
  }
}
