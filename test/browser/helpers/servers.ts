import type { Server } from 'node:http';
import { DemoServer, startDemoServer } from '../../../demo/serve';
import { startCorsApp } from '../../helpers/cors-requests';

/** One request as the API saw it, with the status it answered. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly origin: string | undefined;
  readonly cookie: string | undefined;
  /** `Access-Control-Request-Headers` of a preflight. */
  readonly requestHeaders: string | undefined;
  status?: number;
}

export interface BrowserApi {
  /** e.g. `http://127.0.0.1:40123` */
  readonly url: string;
  readonly port: number;
  /** Every request the API received, in order; `clear()` empties it. */
  readonly seen: SeenRequest[];
  clear(): void;
  /** `["OPTIONS /greet 204", "POST /greet 200", …]` for the requests to `path`. */
  log(path?: string): string[];
  /** How many preflights (OPTIONS) reached the API. */
  optionsCount(path?: string): number;
  close(): Promise<void>;
}

/**
 * Starts the real app (same createApp as production; every CORS_* variable and BODY_LIMIT unset
 * except those given) on a free 127.0.0.1 port, and records each request it receives: a listener
 * on the HTTP server's 'request' event, beside Express's, which sees preflights too.
 */
export async function startApi(env: Record<string, string> = {}): Promise<BrowserApi> {
  const testApp = await startCorsApp(env);
  const seen: SeenRequest[] = [];
  const server = testApp.app.getHttpServer() as Server;
  server.on('request', (req, res) => {
    const entry: SeenRequest = {
      method: req.method ?? '?',
      path: new URL(req.url ?? '/', 'http://api.invalid').pathname,
      origin: req.headers.origin,
      cookie: req.headers.cookie,
      requestHeaders: req.headers['access-control-request-headers'],
    };
    seen.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
  });
  const matching = (path?: string) =>
    seen.filter((entry) => path === undefined || entry.path === path);
  return {
    url: testApp.url,
    port: Number(new URL(testApp.url).port),
    seen,
    clear: () => void seen.splice(0),
    log: (path) => matching(path).map((e) => `${e.method} ${e.path} ${e.status ?? 'pending'}`),
    optionsCount: (path) => matching(path).filter((entry) => entry.method === 'OPTIONS').length,
    close: () => testApp.close(),
  };
}

export interface DemoSite {
  readonly port: number;
  /** `http://localhost:<port>`: the origin the specs allow. */
  readonly origin: string;
  /** `http://127.0.0.1:<port>`: same server, another origin. */
  readonly loopbackOrigin: string;
  /** The demo page on `origin` (or another origin of this server), calling the API at `apiUrl`. */
  pageUrl(apiUrl: string, origin?: string): string;
  close(): Promise<void>;
}

/**
 * Starts demo/serve.js on a free port of 127.0.0.1. Chromium resolves `localhost` to the loopback
 * addresses itself, so the same server is reachable as two origins: localhost and 127.0.0.1.
 */
export async function startDemo(): Promise<DemoSite> {
  const server: DemoServer = await startDemoServer({ port: 0, host: '127.0.0.1' });
  const origin = `http://localhost:${server.port}`;
  return {
    port: server.port,
    origin,
    loopbackOrigin: `http://127.0.0.1:${server.port}`,
    pageUrl: (apiUrl, pageOrigin = origin) => `${pageOrigin}/?api=${encodeURIComponent(apiUrl)}`,
    close: () => server.close(),
  };
}
