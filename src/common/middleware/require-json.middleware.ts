import { Injectable, NestMiddleware, UnsupportedMediaTypeException } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import typeis from 'type-is';
import { ErrorMessages } from '../error-messages';
import { declaresBody } from '../http/request-body';

/**
 * Refuses a request body that is not JSON. Besides keeping the contract, this is a security rule:
 * only "simple" content types (text/plain, form-encoded, multipart) can be sent cross-site without
 * a CORS preflight, so refusing them means no cross-site form can reach a handler.
 */
@Injectable()
export class RequireJsonMiddleware implements NestMiddleware {
  use(req: IncomingMessage, _res: unknown, next: (error?: unknown) => void): void {
    if (
      declaresBody(req) &&
      typeis.is(req.headers['content-type'] ?? '', ['application/json']) === false
    ) {
      next(new UnsupportedMediaTypeException(ErrorMessages.unsupportedMediaType));
      return;
    }
    next();
  }
}
