'use strict';
/**
 * A tiny static server for the demo page (`npm run demo`): node:http only, no dependencies and no
 * build, so it runs straight from a fresh clone. It serves the page's own files from this folder
 * and nothing else: no directory listings, no dotfiles, no file outside demo/ (symlinks included),
 * only known content types, GET and HEAD only.
 *
 * Usage: node demo/serve.js [--port 1234] [--host localhost]   (or PORT=1234 node demo/serve.js)
 * The default origin, http://localhost:1234, is the API's default CORS_ALLOWED_ORIGINS.
 */
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const DEFAULT_PORT = 1234;
const DEFAULT_HOST = 'localhost';
const ROOT = fs.realpathSync(__dirname);

/** What may be served, by extension; anything else is a 404. */
const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Files of this folder that are not part of the page. */
const NOT_SERVED = new Set(['serve.js']);

const COMMON_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  // A development server: an edited file shows on the next reload.
  'Cache-Control': 'no-cache',
};

/**
 * Maps a request target to a file inside ROOT, or returns a status to answer with. Pure apart
 * from the final realpath check, which catches symlinks pointing out of the folder.
 */
function resolveTarget(target) {
  if (typeof target !== 'string' || !target.startsWith('/')) return { status: 400 };
  const rawPath = target.split(/[?#]/, 1)[0];
  let pathname;
  try {
    pathname = decodeURIComponent(rawPath);
  } catch {
    return { status: 400 };
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return { status: 400 };
  if (pathname === '/') pathname = '/index.html';
  const segments = pathname.slice(1).split('/');
  // Empty segments ("//"), "." and "..", and dotfiles are never part of the page.
  if (segments.some((segment) => segment === '' || segment.startsWith('.'))) return { status: 404 };
  const file = path.join(ROOT, ...segments);
  const relative = path.relative(ROOT, file);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    return { status: 404 };
  }
  const contentType = CONTENT_TYPES[path.extname(file).toLowerCase()];
  if (contentType === undefined || NOT_SERVED.has(relative)) return { status: 404 };
  return { file, contentType };
}

function isInsideRoot(realFile) {
  const relative = path.relative(ROOT, realFile);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

function sendText(res, status, text, extraHeaders = {}) {
  const body = `${text}\n`;
  res.writeHead(status, {
    ...COMMON_HEADERS,
    ...extraHeaders,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

const STATUS_TEXT = { 400: 'Bad request', 404: 'Not found' };

function handle(req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendText(res, 405, 'Method not allowed', { Allow: 'GET, HEAD' });
    return;
  }
  const target = resolveTarget(req.url);
  if (target.status !== undefined) {
    sendText(res, target.status, STATUS_TEXT[target.status]);
    return;
  }
  fs.realpath(target.file, (realpathError, realFile) => {
    if (realpathError || !isInsideRoot(realFile)) {
      sendText(res, 404, STATUS_TEXT[404]);
      return;
    }
    fs.readFile(realFile, (readError, content) => {
      if (readError) {
        // EISDIR, EACCES, or removed in between: nothing to serve.
        sendText(res, 404, STATUS_TEXT[404]);
        return;
      }
      res.writeHead(200, {
        ...COMMON_HEADERS,
        'Content-Type': target.contentType,
        'Content-Length': content.length,
      });
      res.end(req.method === 'HEAD' ? undefined : content);
    });
  });
}

/**
 * Starts the server; resolves once it listens (port 0 picks a free port).
 * @param {{ port?: number, host?: string }} [options]
 * @returns {Promise<{ server: import('node:http').Server, host: string, port: number, url: string, close(): Promise<void> }>}
 */
function startDemoServer({ port = DEFAULT_PORT, host = DEFAULT_HOST } = {}) {
  const server = http.createServer(handle);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const actualPort = server.address().port;
      const urlHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        server,
        host,
        port: actualPort,
        url: `http://${urlHost}:${actualPort}`,
        close: () =>
          new Promise((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** Reads `--port N`, `--port=N`, `--host H`, `--host=H`, then PORT; throws on anything else. */
function parseArgs(argv, env) {
  const options = { port: env.PORT, host: DEFAULT_HOST };
  for (let i = 0; i < argv.length; i += 1) {
    const match = /^--(port|host)(?:=(.*))?$/.exec(argv[i]);
    if (match === null) throw new Error(`unknown argument "${argv[i]}" (use --port N, --host H)`);
    const value = match[2] !== undefined ? match[2] : argv[(i += 1)];
    if (value === undefined || value === '') throw new Error(`--${match[1]} needs a value`);
    options[match[1]] = value;
  }
  if (options.port === undefined || options.port === '') options.port = String(DEFAULT_PORT);
  if (!/^\d{1,5}$/.test(options.port) || Number(options.port) > 65535) {
    throw new Error(`port must be an integer 0-65535, got "${options.port}"`);
  }
  return { port: Number(options.port), host: options.host };
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`demo server: ${error.message}\n`);
    process.exit(1);
  }
  let demo;
  try {
    demo = await startDemoServer(options);
  } catch (error) {
    process.stderr.write(
      `demo server: cannot listen on ${options.host}:${options.port}: ${error.message}\n`,
    );
    process.exit(1);
  }
  process.stdout.write(
    `Demo page on ${demo.url}/ (API: http://localhost:5000 by default, or add ?api=<url>)\n`,
  );
  const stop = () => void demo.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

module.exports = { startDemoServer, resolveTarget, parseArgs, DEFAULT_PORT, DEFAULT_HOST };

if (require.main === module) void main();
