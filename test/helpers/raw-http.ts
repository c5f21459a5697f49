import http from 'node:http';
import net from 'node:net';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Sends a body in chunks with `Transfer-Encoding: chunked` (no Content-Length). */
export function postChunked(
  url: string,
  path: string,
  chunks: Buffer[],
  headers: http.OutgoingHttpHeaders = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
    });
    req.on('response', (res) => void collect(res).then(resolve, reject));
    // The server may answer 413 and stop reading before every chunk is written.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

/** POSTs `body` byte for byte (supertest would serialise a Buffer sent as JSON). */
export function postBytes(
  url: string,
  path: string,
  body: Buffer,
  headers: http.OutgoingHttpHeaders = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    // With Transfer-Encoding: chunked, Node frames the body itself.
    const framing = 'Transfer-Encoding' in headers ? {} : { 'Content-Length': body.length };
    const req = http.request(`${url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...framing, ...headers },
    });
    req.on('response', (res) => void collect(res).then(resolve, reject));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Writes `head` as is on a raw socket and reads the whole response: for what HTTP clients refuse
 * to send (duplicated header lines, odd framing).
 */
export function rawRequest(url: string, head: string, body = ''): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.end(head + body));
    const parts: Buffer[] = [];
    socket.on('data', (data) => parts.push(data));
    socket.on('error', reject);
    socket.on('close', () => {
      try {
        resolve(parseResponse(Buffer.concat(parts).toString('utf8')));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}

export interface RawConnection {
  write(data: string): void;
  /** Everything the server has sent so far, once `done` holds for it (fails after 5 s). */
  until(done: (received: string) => boolean): Promise<string>;
  close(): void;
}

/** A raw socket kept open across several exchanges: for what happens between them. */
export function openConnection(url: string): RawConnection {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  let received = '';
  const waiters: Array<() => void> = [];
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    received += chunk;
    for (const wake of waiters.splice(0)) wake();
  });
  return {
    write: (data) => socket.write(data),
    until: async (done) => {
      const deadline = Date.now() + 5000;
      while (!done(received)) {
        if (Date.now() > deadline) throw new Error(`timed out; received: ${received}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return received;
    },
    close: () => socket.destroy(),
  };
}

export interface StalledExchange {
  /** The response, parsed from everything the server sent before it closed the connection. */
  readonly response: RawResponse;
  /** From the first byte written until the server closed the connection. */
  readonly ms: number;
  /** The client's port: the server sees it as the connection's remote port. */
  readonly localPort: number;
}

/**
 * Writes `head` (and any `body` parts) on a raw socket and then stalls: never ends the request,
 * so the exchange only completes when the server answers and closes the connection itself.
 * Fails after `timeoutMs` if the server never does.
 */
export function stalledRequest(
  url: string,
  head: string,
  body: Array<string | Buffer> = [],
  timeoutMs = 10_000,
): Promise<StalledExchange> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let localPort = 0;
    const socket = net.connect(Number(port), hostname, () => {
      localPort = socket.localPort ?? 0;
      socket.write(head);
      for (const part of body) socket.write(part);
    });
    const parts: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (data) => parts.push(data));
    // The server may close while we still write: what it sent before is the answer.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(parts).toString('utf8');
      if (text === '') {
        reject(new Error('the server closed the connection without an answer'));
        return;
      }
      resolve({
        response: parseResponse(text),
        ms: performance.now() - started,
        localPort,
      });
    });
  });
}

function parseResponse(text: string): RawResponse {
  const [head, ...rest] = text.split('\r\n\r\n');
  const [statusLine, ...lines] = head.split('\r\n');
  const status = Number(statusLine.split(' ')[1]);
  const headers: http.IncomingHttpHeaders = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const previous = headers[name];
    headers[name] = previous === undefined ? value : `${String(previous)}, ${value}`;
  }
  let body = rest.join('\r\n\r\n');
  if (headers['transfer-encoding'] === 'chunked') body = dechunk(body);
  return { status, headers, body };
}

function dechunk(body: string): string {
  let out = '';
  let rest = body;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, lineEnd), 16);
    if (!size) return out;
    out += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}

/** Reads a whole response. */
export function collect(res: http.IncomingMessage): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    res.on('data', (data: Buffer) => parts.push(data));
    res.on('error', reject);
    res.on('end', () =>
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        body: Buffer.concat(parts).toString('utf8'),
      }),
    );
  });
}
