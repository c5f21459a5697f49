import { Injectable, NestMiddleware } from '@nestjs/common';
import { nodeRequest, nodeResponse } from './request-facts';
import { StrictCorsHandler } from './strict-cors.handler';

/**
 * Mode `'middleware'`: answers preflights (204 or 403) and refuses disallowed origins (403) for
 * every path, and puts an allowed origin's headers on the response before routing, so a 404 is
 * readable too. It runs after the platform's body parser; mode `'before-routing'` runs before it.
 */
@Injectable()
export class StrictCorsMiddleware implements NestMiddleware {
  constructor(private readonly handler: StrictCorsHandler) {}

  use(req: object, res: object, next: (error?: unknown) => void): void {
    if (!this.handler.handle(nodeRequest(req), nodeResponse(res), 'middleware')) next();
  }
}
