import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { StrictCorsHandler } from './strict-cors.handler';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

const INSTALLED = Symbol('nest-strict-cors.beforeRouting');

/**
 * Mode `'before-routing'`: the handler goes in front of the listeners the platform put on the
 * Node server (Express's app, Fastify's router), so it answers preflights and refusals before
 * routing and before any body is read or parsed; the rest goes on to the platform with the CORS
 * headers already set, which its 404, 413 and 415 answers keep. Installed once per server.
 */
export function installBeforeRouting(server: Server, handler: StrictCorsHandler): void {
  const marked = server as Server & { [INSTALLED]?: true };
  if (marked[INSTALLED]) return;
  marked[INSTALLED] = true;
  const platform = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (handler.handle(req, res, 'before-routing')) return;
    for (const listener of platform) listener.call(server, req, res);
  });
}
