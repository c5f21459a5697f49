import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import { ALLOWED_ORIGINS, ALLOW_CREDENTIALS, MAX_AGE_SECONDS } from './shared/cors-policy';
import { greet, parseGreetRequest } from './shared/greeting';
import { HOST, portFromEnv } from './shared/listen-address';

/**
 * Reference: bare node:http with hand-written CORS, routing and body reading. No framework does
 * less work per request, so this is the practical upper bound for any Node server on this machine.
 */
const BODY_LIMIT_BYTES = 1024 * 1024;
const allowedOrigins = new Set(ALLOWED_ORIGINS);

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** Returns true when the request was a preflight and has been answered. */
function applyCors(req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  // Vary on every response: a cache must not reuse one origin's answer for another.
  res.setHeader('Vary', 'Origin');
  const allowed = origin !== undefined && allowedOrigins.has(origin);
  if (allowed) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    if (ALLOW_CREDENTIALS) res.setHeader('Access-Control-Allow-Credentials', 'true');
  }
  if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) {
    return false;
  }
  if (allowed) {
    res.setHeader('Access-Control-Allow-Methods', 'GET,HEAD,POST');
    const requested = req.headers['access-control-request-headers'];
    if (requested !== undefined) res.setHeader('Access-Control-Allow-Headers', requested);
    res.setHeader('Access-Control-Max-Age', String(MAX_AGE_SECONDS));
  }
  res.writeHead(204, { 'Content-Length': '0' });
  res.end();
  return true;
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Keep draining past the limit so the connection stays usable for the 413 answer.
      if (size <= BODY_LIMIT_BYTES) chunks.push(chunk);
    });
    req.on('end', () =>
      resolve(size > BODY_LIMIT_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
  });
}

async function handleGreet(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
    sendJson(res, 415, { statusCode: 415, error: 'Content-Type must be application/json' });
    return;
  }
  const text = await readBody(req);
  if (text === undefined) {
    sendJson(res, 413, { statusCode: 413, error: 'Payload too large' });
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    sendJson(res, 400, { statusCode: 400, error: 'Malformed JSON in request body' });
    return;
  }
  const parsed = parseGreetRequest(body);
  if (!parsed.ok) {
    sendJson(res, 400, { statusCode: 400, error: parsed.error });
    return;
  }
  sendJson(res, 200, greet(parsed.request));
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (applyCors(req, res)) return;
  const path = (req.url ?? '/').split('?', 1)[0];
  if (path === '/health' && req.method === 'GET') {
    sendJson(res, 200, { status: 'ok' });
  } else if (path === '/greet' && req.method === 'POST') {
    await handleGreet(req, res);
  } else {
    sendJson(res, 404, { statusCode: 404, error: 'Not found' });
  }
}

createServer((req, res) => {
  handle(req, res).catch(() => {
    if (!res.headersSent) sendJson(res, 500, { statusCode: 500, error: 'Internal server error' });
    else res.destroy();
  });
}).listen(portFromEnv(), HOST);
