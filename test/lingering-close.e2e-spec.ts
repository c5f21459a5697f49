import http from 'node:http';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { jsonLogLines, startService, type ServiceProcess } from './helpers/spawn-service';
import {
  rawUpload,
  upload,
  uploadMany,
  type Upload,
  type UploadOutcome,
} from './helpers/uploading-client';

// Issue 21: every early answer arrives, even to a client that keeps uploading a body the service
// will not read (Node's http client, a fresh connection each, the body written in full). Runs on
// both platforms: both serve from the service's own node server, but each answers differently.

const ALLOWED = 'http://localhost:1234';
const EVIL = 'https://evil.example';
const BIG = 3 * 1024 * 1024; // larger than the loopback socket buffers
const UPLOADS = 300;
const AT_ONCE = 10;

const bigJson = Buffer.alloc(BIG, ' ');
bigJson.write('{"name":"Alice","pad":"');
bigJson.write('"}', BIG - 2);
const depthBomb = Buffer.alloc(BIG, '[');
const badJson = Buffer.alloc(BIG, 'x');
const text = Buffer.alloc(BIG, 'a');

const json = { 'Content-Type': 'application/json', Origin: ALLOWED };

interface Case {
  name: string;
  status: number;
  error: string;
  upload: Upload;
  /** BODY_LIMIT large enough that the body is within it (the answer is about its content). */
  bigLimit?: boolean;
}

const CASES: Case[] = [
  {
    name: '413 for a declared body over the limit',
    status: 413,
    error: 'Payload too large',
    upload: { method: 'POST', path: '/greet', headers: json, body: bigJson },
  },
  {
    name: '413 for a chunked body counted over the limit',
    status: 413,
    error: 'Payload too large',
    upload: { method: 'POST', path: '/greet', headers: json, body: bigJson, chunked: true },
  },
  {
    name: '403 for a refused origin',
    status: 403,
    error: 'Origin not allowed',
    upload: { method: 'POST', path: '/greet', headers: { ...json, Origin: EVIL }, body: bigJson },
  },
  {
    name: '403 for a refused preflight with a body',
    status: 403,
    error: 'Origin not allowed',
    upload: {
      method: 'OPTIONS',
      path: '/greet',
      headers: { Origin: EVIL, 'Access-Control-Request-Method': 'POST' },
      body: bigJson,
    },
  },
  {
    name: '405 for a method the route does not take',
    status: 405,
    error: 'Method not allowed',
    upload: { method: 'PUT', path: '/greet', headers: json, body: bigJson },
  },
  {
    name: '415 for a body that is not JSON',
    status: 415,
    error: 'Content-Type must be application/json',
    bigLimit: true,
    upload: {
      method: 'POST',
      path: '/greet',
      headers: { 'Content-Type': 'text/plain', Origin: ALLOWED },
      body: text,
    },
  },
  {
    name: '417 for an expectation the service does not meet',
    status: 417,
    error: 'Expectation failed',
    bigLimit: true,
    upload: {
      method: 'POST',
      path: '/greet',
      headers: { ...json, Expect: 'something-else' },
      body: bigJson,
    },
  },
  {
    name: '400 for a depth bomb within the limit',
    status: 400,
    error: 'Request body nested too deeply',
    bigLimit: true,
    upload: { method: 'POST', path: '/greet', headers: json, body: depthBomb },
  },
  {
    name: '400 for malformed JSON within the limit',
    status: 400,
    error: 'Malformed JSON in request body',
    bigLimit: true,
    upload: { method: 'POST', path: '/greet', headers: json, body: badJson },
  },
];

function envelopeOf(body: string | undefined): unknown {
  try {
    return JSON.parse(body ?? '');
  } catch {
    return body;
  }
}

describe('every answer arrives: a close in stages after an early answer (issue 21)', () => {
  let service: ServiceProcess;
  let bigLimitService: ServiceProcess;

  beforeAll(async () => {
    const env = { CORS_ALLOWED_ORIGINS: ALLOWED, LOG_LEVEL: 'silent' };
    [service, bigLimitService] = await Promise.all([
      startService(env),
      startService({ ...env, BODY_LIMIT: '10mb' }),
    ]);
  });
  afterAll(() => {
    service?.kill();
    bigLimitService?.kill();
  });

  it.each(CASES)(
    '$name: 300 uploads of 3 MB, 10 at a time, every one answered',
    async ({ status, error, upload: spec, bigLimit }) => {
      const target = bigLimit ? bigLimitService : service;
      const tally = await uploadMany(UPLOADS, AT_ONCE, () => upload(target.url, spec));
      expectAlive(target);
      expect({ lost: tally.lost, statuses: tally.statuses }).toEqual({
        lost: {},
        statuses: { [status]: UPLOADS },
      });
      const envelope = envelopeOf(tally.sample?.body) as { statusCode: number; error: string };
      expect(envelope.statusCode).toBe(status);
      expect(envelope.error).toContain(error);
      expect(tally.sample?.headers?.['x-request-id']).toBeDefined();
      expect(tally.sample?.headers?.connection).toBe('close');
    },
    60_000,
  );

  it('the parser-error envelope (Content-Length with Transfer-Encoding) arrives to a client that keeps sending', async () => {
    const head =
      'POST /greet HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${BIG}\r\nTransfer-Encoding: chunked\r\n\r\n`;
    let lost = 0;
    for (let round = 0; round < UPLOADS / AT_ONCE; round++) {
      const answers = await Promise.all(
        Array.from({ length: AT_ONCE }, () => rawUpload(service.url, head, bigJson)),
      );
      for (const answer of answers) {
        if (!/^HTTP\/1\.1 400 [^\r]*\r\n[\s\S]*\r\n\r\n\{"statusCode":400,/.test(answer.text))
          lost++;
      }
    }
    expect(lost).toBe(0);
  }, 60_000);

  it('CONNECT gets the 405 envelope with Allow, not a silent close, even with bytes behind it', async () => {
    const head = 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n';
    const answers = [];
    for (let round = 0; round < UPLOADS / AT_ONCE; round++) {
      answers.push(
        ...(await Promise.all(
          Array.from({ length: AT_ONCE }, () => rawUpload(service.url, head, bigJson)),
        )),
      );
    }
    expect(answers).toHaveLength(UPLOADS);
    for (const answer of answers) {
      expect(answer.text).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
      expect(answer.text).toMatch(/\r\nAllow: GET, HEAD, OPTIONS, POST\r\n/);
      expect(answer.text).toMatch(/\r\nx-request-id: [0-9a-f-]{36}\r\n/i);
      expect(answer.text).toMatch(/\r\nConnection: close\r\n/);
      expect(answer.text).toMatch(/\r\n\r\n\{"statusCode":405,"error":"Method not allowed"\}$/);
    }
  }, 30_000);

  it('408 for a body that came too slowly: 300 uploads, every one answered, the rest of each body discarded', async () => {
    const slow = await startService({
      CORS_ALLOWED_ORIGINS: ALLOWED,
      LOG_LEVEL: 'silent',
      BODY_LIMIT: '10mb',
      REQUEST_TIMEOUT_MS: '1000',
      HEADERS_TIMEOUT_MS: '1000',
    });
    try {
      // 50 at a time: each waits 1.6 s before it sends the rest.
      const tally = await uploadMany(UPLOADS, 50, () => slowUpload(slow.url));
      expect({ lost: tally.lost, statuses: tally.statuses }).toEqual({
        lost: {},
        statuses: { 408: UPLOADS },
      });
      expect(envelopeOf(tally.sample?.body)).toEqual({
        statusCode: 408,
        error: 'Request timeout',
      });
    } finally {
      slow.kill();
    }
  }, 30_000);

  it('a client that never stops sending gets its 413 and is cut within LINGER_TIMEOUT_MS + 1 s', async () => {
    // 16 KiB every 10 ms: slow enough that the time bound (2 s), not the byte bound, ends it.
    const { status, answeredAt, closedAt } = await endlessUpload(service.url, 16 * 1024);
    expect(status).toBe(413);
    expect(closedAt - answeredAt).toBeLessThan(2000 + 1000);
    expect(closedAt - answeredAt).toBeGreaterThan(1500);
  }, 15_000);

  it('a fast endless sender is cut once the byte bound (32 MiB here) was discarded, before the time bound', async () => {
    // 1 MiB every 10 ms: the bound (4 × BODY_LIMIT, at least 32 MiB) is reached in well under 2 s.
    const { status, answeredAt, closedAt, sent } = await endlessUpload(service.url, 1024 * 1024);
    expect(status).toBe(413);
    expect(closedAt - answeredAt).toBeLessThan(1500);
    // It was read until the bound, not cut at once (the socket buffers hold ~10 MB at most).
    expect(sent).toBeGreaterThan(32 * 1024 * 1024);
  }, 15_000);
});

describe('closing in stages: bounds, logs and settings', () => {
  let service: ServiceProcess | undefined;
  afterEach(() => service?.kill());

  it('500 lingering clients at once: a normal POST is still answered at once and RSS grows < 20 MB', async () => {
    service = await startService({
      CORS_ALLOWED_ORIGINS: ALLOWED,
      LOG_LEVEL: 'silent',
      LINGER_TIMEOUT_MS: '15000',
    });
    const pid = service.child.pid as number;
    // Warm: the first requests load code and grow the heap.
    for (let i = 0; i < 200; i++) await greet(service.url);
    const rssBefore = rssKb(pid);
    const clients = await Promise.all(Array.from({ length: 500 }, () => trickler(service!.url)));
    expect(clients.filter((c) => c.status === 413)).toHaveLength(500);
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const started = performance.now();
      expect((await greet(service.url)).status).toBe(200);
      times.push(performance.now() - started);
    }
    const rssDuring = rssKb(pid);
    // Every one is still lingering (none was cut early).
    expect(clients.filter((c) => c.closed())).toHaveLength(0);
    for (const client of clients) client.stop();
    times.sort((a, b) => a - b);
    expect(times[3]).toBeLessThan(100);
    expect(rssDuring - rssBefore).toBeLessThan(20 * 1024);
  }, 60_000);

  it('the access line says the connection lingered and how many bytes it discarded', async () => {
    service = await startService({
      CORS_ALLOWED_ORIGINS: ALLOWED,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
    });
    const outcome = await upload(service.url, {
      method: 'POST',
      path: '/greet',
      headers: json,
      body: bigJson,
    });
    expect(outcome.status).toBe(413);
    await service.waitForOutput('"status":413');
    const line = jsonLogLines(service.stdout()).find((l) => l.status === 413);
    expect(line).toMatchObject({ method: 'POST', path: '/greet', status: 413 });
    expect(line?.lingered).toEqual(expect.any(Number));
    expect(line?.lingered as number).toBeGreaterThan(0);
    expect(line?.lingered as number).toBeLessThanOrEqual(BIG);
    // A request read in full does not linger.
    await greet(service.url);
    await service.waitForOutput('"status":200');
    expect(jsonLogLines(service.stdout()).find((l) => l.status === 200)).not.toHaveProperty(
      'lingered',
    );
  }, 30_000);

  it('LINGER_TIMEOUT_MS=0 closes at once, as Node does', async () => {
    service = await startService({
      CORS_ALLOWED_ORIGINS: ALLOWED,
      LOG_LEVEL: 'silent',
      LINGER_TIMEOUT_MS: '0',
    });
    const { status, answeredAt, closedAt } = await endlessUpload(service.url, 16 * 1024);
    expect(status).toBe(413);
    expect(closedAt - answeredAt).toBeLessThan(1000);
  }, 15_000);

  it.each([
    [
      'the drain waits for lingering connections no longer than the linger bound',
      '1500',
      '20000',
      3000,
    ],
    ['SHUTDOWN_TIMEOUT_MS still cuts lingering connections', '30000', '500', 2500],
  ])(
    '%s',
    async (_, lingerMs, shutdownMs, withinMs) => {
      service = await startService({
        CORS_ALLOWED_ORIGINS: ALLOWED,
        LOG_LEVEL: 'silent',
        LINGER_TIMEOUT_MS: lingerMs,
        SHUTDOWN_TIMEOUT_MS: shutdownMs,
      });
      const clients = await Promise.all(Array.from({ length: 20 }, () => trickler(service!.url)));
      expect(clients.filter((c) => c.status === 413)).toHaveLength(20);
      const started = performance.now();
      service.child.kill('SIGTERM');
      expect(await service.exited).toBe(0);
      for (const client of clients) client.stop();
      expect(performance.now() - started).toBeLessThan(withinMs);
    },
    30_000,
  );
});

/**
 * Node's http client: 1 KiB of a declared 3 MB body, a pause past the request timeout, then the
 * rest written in full.
 */
function slowUpload(url: string): Promise<UploadOutcome> {
  return new Promise((resolve) => {
    let answered: UploadOutcome | undefined;
    const req = http.request(`${url}/greet`, {
      method: 'POST',
      agent: false,
      headers: { ...json, 'Content-Length': BIG },
    });
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => {
        answered = { status: res.statusCode, body: Buffer.concat(parts).toString() };
        resolve(answered);
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (answered === undefined) resolve({ error: error.code ?? error.message });
    });
    req.write(bigJson.subarray(0, 1024));
    setTimeout(() => req.end(bigJson.subarray(1024)), 1600);
  });
}

/** A service that died mid-test says why (its output), not just ECONNREFUSED. */
function expectAlive(service: ServiceProcess): void {
  const { exitCode, signalCode } = service.child;
  if (exitCode !== null || signalCode !== null) {
    throw new Error(
      `service exited (${exitCode ?? signalCode}):\n${service.stdout().slice(-4000)}`,
    );
  }
}

function greet(url: string) {
  return upload(url, {
    method: 'POST',
    path: '/greet',
    headers: json,
    body: Buffer.from('{"name":"Alice"}'),
  });
}

function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
}

/**
 * Declares a 1 GB body (refused at once with 413), then sends `chunkBytes` every 10 ms until the
 * server closes: when the answer arrived, and when the connection was cut.
 */
function endlessUpload(
  url: string,
  chunkBytes: number,
): Promise<{ status: number; answeredAt: number; closedAt: number; sent: number }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    let answeredAt = 0;
    let received = '';
    // Bytes the kernel took (write callbacks without an error), not those still queued here.
    let sent = 0;
    const chunk = Buffer.alloc(chunkBytes, ' ');
    // Half-open allowed: it keeps sending after the server's FIN, as an uploading client does.
    const socket = net.connect({ port: Number(port), host: hostname, allowHalfOpen: true }, () => {
      socket.write(
        'POST /greet HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
          'Content-Length: 1000000000\r\n\r\n',
      );
      const pump = setInterval(() => {
        if (socket.writable) socket.write(chunk, (error) => (sent += error ? 0 : chunk.length));
        else clearInterval(pump);
      }, 10);
      socket.on('close', () => {
        clearInterval(pump);
        resolve({
          status: Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1]),
          answeredAt,
          closedAt: performance.now(),
          sent,
        });
      });
    });
    socket.on('data', (part: Buffer) => {
      if (answeredAt === 0) answeredAt = performance.now();
      received += part.toString();
    });
    socket.on('error', () => undefined);
  });
}

/**
 * A client whose declared 1 GB body is refused with 413, and which then sends 1 KiB every
 * 200 ms: it keeps the connection lingering for the whole LINGER_TIMEOUT_MS.
 */
function trickler(url: string): Promise<{ status: number; closed(): boolean; stop(): void }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    let closed = false;
    let received = '';
    // Half-open allowed: it keeps sending after the server's FIN, as an uploading client does.
    const socket = net.connect({ port: Number(port), host: hostname, allowHalfOpen: true }, () => {
      socket.write(
        'POST /greet HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
          'Content-Length: 1000000000\r\n\r\n',
      );
    });
    const pump = setInterval(() => {
      if (socket.writable) socket.write(Buffer.alloc(1024, ' '));
    }, 200);
    const client = {
      status: 0,
      closed: () => closed,
      stop: () => {
        clearInterval(pump);
        socket.destroy();
      },
    };
    socket.on('data', (part: Buffer) => {
      received += part.toString();
      if (client.status === 0 && received.includes('\r\n\r\n')) {
        client.status = Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1]);
        resolve(client);
      }
    });
    socket.on('close', () => {
      closed = true;
      clearInterval(pump);
      resolve(client);
    });
    socket.on('error', () => undefined);
  });
}
