import http from 'node:http';
import net from 'node:net';
import { jsonLogLines, ServiceProcess, startService } from './helpers/spawn-service';

const BODY = JSON.stringify({ name: 'Alice', lang: 'es' });
const ENV = {
  NODE_ENV: 'production',
  CORS_ALLOWED_ORIGINS: 'https://app.example.com',
  LOG_LEVEL: 'info',
};

/** A POST /greet whose body arrives in two parts; the second is sent by `finish()`. */
function slowRequest(url: string, agent?: http.Agent) {
  const req = http.request(`${url}/greet`, {
    agent,
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(BODY) },
  });
  const response = new Promise<{
    status: number;
    body: string;
    headers: http.IncomingHttpHeaders;
  }>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
  });
  req.write(BODY.slice(0, 10));
  return { response, finish: () => req.end(BODY.slice(10)) };
}

/** 'connected', or the connection error's code. */
function connect(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    socket.on('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('graceful shutdown (spawned dist/main.js)', () => {
  let service: ServiceProcess | undefined;
  afterEach(() => service?.kill());

  it('answers a request that was in flight at SIGTERM with Connection: close', async () => {
    service = await startService({ ...ENV, SHUTDOWN_TIMEOUT_MS: '5000' });
    const slow = slowRequest(service.url, new http.Agent({ keepAlive: true }));
    await sleep(200);
    service.child.kill('SIGTERM');
    await service.waitForOutput('SIGTERM received');
    slow.finish();
    const res = await slow.response;
    expect(res.status).toBe(200);
    expect(res.headers.connection).toBe('close');
    expect(await service.exited).toBe(0);
  });

  it('on SIGTERM: stops accepting, lets the in-flight request finish, exits 0', async () => {
    service = await startService({ ...ENV, SHUTDOWN_TIMEOUT_MS: '5000' });
    const slow = slowRequest(service.url);
    await sleep(200);
    service.child.kill('SIGTERM');
    await service.waitForOutput('SIGTERM received');

    expect(await connect(service.url)).toBe('ECONNREFUSED');
    expect(service.child.exitCode).toBeNull();

    slow.finish();
    const res = await slow.response;
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ greeting: 'Hola, Alice!' });
    expect(await service.exited).toBe(0);
    expect(service.stdout()).toContain('Shut down cleanly');
  });

  it('closes a keep-alive connection as soon as its in-flight request is done', async () => {
    service = await startService({ ...ENV, SHUTDOWN_TIMEOUT_MS: '8000' });
    const agent = new http.Agent({ keepAlive: true });
    try {
      const slow = slowRequest(service.url, agent);
      await sleep(200);
      service.child.kill('SIGTERM');
      await service.waitForOutput('SIGTERM received');
      slow.finish();
      const finished = Date.now();
      expect((await slow.response).status).toBe(200);
      expect(await service.exited).toBe(0);
      // Without closing it, the idle connection would hold the drain for its 5 s keep-alive.
      expect(Date.now() - finished).toBeLessThan(2000);
    } finally {
      agent.destroy();
    }
  });

  it('serves a request whose head completes after SIGTERM on an open connection; /health/ready answers its own 503', async () => {
    service = await startService({ ...ENV, SHUTDOWN_TIMEOUT_MS: '5000' });
    const { hostname, port } = new URL(service.url);
    /** A connection that has sent `head` (incomplete); `finish(rest)` sends the rest. */
    const open = (head: string) => {
      const socket = net.connect(Number(port), hostname);
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
      const ended = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
      socket.on('error', () => undefined);
      socket.write(head);
      return { finish: (rest: string) => socket.write(rest), ended };
    };
    // Keeps the drain waiting while the two below complete.
    const slow = slowRequest(service.url);
    const post = open(
      `POST /greet HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(BODY)}\r\n`,
    );
    const ready = open('GET /health/ready HTTP/1.1\r\nHost: x\r\n');
    await sleep(200);
    service.child.kill('SIGTERM');
    await service.waitForOutput('SIGTERM received');
    post.finish(`\r\n${BODY}`);
    ready.finish('\r\n');
    const [postAnswer, readyAnswer] = await Promise.all([post.ended, ready.ended]);
    slow.finish();
    expect((await slow.response).status).toBe(200);

    const [postHead, postBody] = postAnswer.split('\r\n\r\n');
    expect(postHead).toMatch(/^HTTP\/1\.1 200 /);
    expect(postHead).toMatch(/\r\nconnection: close\r\n/i);
    expect(JSON.parse(postBody)).toMatchObject({ greeting: 'Hola, Alice!' });
    const [readyHead, readyBody] = readyAnswer.split('\r\n\r\n');
    expect(readyHead).toMatch(/^HTTP\/1\.1 503 /);
    expect(JSON.parse(readyBody)).toEqual({ statusCode: 503, error: 'Service Unavailable' });
    expect(await service.exited).toBe(0);
  });

  it('SIGINT works the same way', async () => {
    service = await startService(ENV);
    service.child.kill('SIGINT');
    expect(await service.exited).toBe(0);
  });

  it('cuts requests still running after SHUTDOWN_TIMEOUT_MS and still exits 0', async () => {
    service = await startService({ ...ENV, SHUTDOWN_TIMEOUT_MS: '300' });
    const slow = slowRequest(service.url);
    const outcome = slow.response.then(
      () => 'answered',
      (error: NodeJS.ErrnoException) => error.code,
    );
    await sleep(200);
    const started = Date.now();
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(await outcome).toBe('ECONNRESET');
    // Logged and flushed before the exit: the timeout with the count, the cut request as aborted
    // (no status), and the end, which does not claim to be clean.
    const lines = jsonLogLines(service.stdout()).filter((l) => l.context !== undefined || l.reqId);
    const messages = lines.map((l) => l.msg);
    const timeout = messages.indexOf(
      'Shutdown timeout after 300 ms: cutting 1 request(s) still in flight',
    );
    const aborted = lines.findIndex((l) => l.msg === 'request aborted');
    const end = messages.indexOf('Shut down after cutting 1 request(s)');
    expect(timeout).toBeGreaterThanOrEqual(0);
    expect(aborted).toBeGreaterThan(timeout);
    // The last line comes after the timeout; the cut request's line is there before the exit
    // (flushed), usually before the last line but not necessarily.
    expect(end).toBeGreaterThan(timeout);
    expect(messages).not.toContain('Shut down cleanly');
    expect(lines[timeout]).toMatchObject({ level: 'warn', cut: 1 });
    // Told apart from a client that went away by itself.
    expect(lines[aborted]).toMatchObject({
      method: 'POST',
      path: '/greet',
      aborted: true,
      cut: true,
    });
    expect(lines[aborted]).not.toHaveProperty('status');
  });
});
