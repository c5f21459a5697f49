import net from 'node:net';
import request from 'supertest';
import { rawRequest } from './helpers/raw-http';
import { jsonLogLines } from './helpers/spawn-service';
import { ServiceProcess, startService } from './helpers/spawn-service';

const PROD = { NODE_ENV: 'production', CORS_ALLOWED_ORIGINS: 'https://app.example.com' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('logs (spawned dist/main.js)', () => {
  let service: ServiceProcess | undefined;
  afterEach(() => service?.kill());

  it('production: every line is JSON, even for targets Node finds invalid', async () => {
    service = await startService({ ...PROD, LOG_LEVEL: 'info' });
    for (const target of ['http://[::1/greet', 'http://exa%00mple/greet', 'h://x?/greet']) {
      const res = await rawRequest(service.url, `GET ${target} HTTP/1.1\r\nHost: h\r\n\r\n`);
      expect(res.status).toBe(400);
    }
    await sleep(200);
    const output = service.stdout();
    expect(output).not.toContain('DeprecationWarning');
    const lines = output.split('\n').filter((line) => line !== '');
    expect(lines.filter((line) => !line.startsWith('{'))).toEqual([]);
    expect(jsonLogLines(output).filter((line) => line.status === 400)).toHaveLength(3);
  });

  it('production: JSON access lines with the request id; never bodies, cookies or auth', async () => {
    service = await startService({ ...PROD, LOG_LEVEL: 'info' });
    const res = await request(service.url)
      .post('/greet?token=query-secret')
      .set('Origin', 'https://app.example.com')
      .set('Cookie', 'session=cookie-secret')
      .set('Authorization', 'Bearer auth-secret')
      .set('X-Request-Id', 'trace-123')
      .send({ name: 'BodySecret' });
    expect(res.status).toBe(200);
    await request(service.url).get('/health/ready');
    await sleep(200);

    const lines = jsonLogLines(service.stdout());
    const access = lines.filter((line) => line.msg === 'request completed');
    expect(access).toEqual([
      expect.objectContaining({
        level: 'info',
        reqId: 'trace-123',
        method: 'POST',
        path: '/greet',
        status: 200,
        ms: expect.any(Number),
      }),
    ]);
    const output = service.stdout();
    for (const secret of ['BodySecret', 'cookie-secret', 'auth-secret', 'query-secret']) {
      expect(output).not.toContain(secret);
    }
  });

  it('puts the trace id of a valid W3C traceparent in the access line, and ignores malformed ones', async () => {
    service = await startService({ ...PROD, LOG_LEVEL: 'info' });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const send = (traceparent: string, id: string) =>
      request(service!.url)
        .post('/greet')
        .set('traceparent', traceparent)
        .set('X-Request-Id', id)
        .send({ name: 'A' })
        .expect(200);
    await send(`00-${traceId}-00f067aa0ba902b7-01`, 'with-trace');
    await send(`00-${traceId.toUpperCase()}-00f067aa0ba902b7-01`, 'uppercase');
    await send(`00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, 'zero-trace');
    await send('not-a-traceparent', 'garbage');
    await sleep(200);
    const access = jsonLogLines(service.stdout()).filter((l) => l.msg === 'request completed');
    expect(access.map((line) => [line.reqId, line.traceId])).toEqual([
      ['with-trace', traceId],
      ['uppercase', undefined],
      ['zero-trace', undefined],
      ['garbage', undefined],
    ]);
  });

  it('starts with one info line: where to look and the configuration in effect; Nest chatter at debug', async () => {
    service = await startService({ ...PROD, LOG_LEVEL: 'info' });
    await sleep(200);
    const lines = jsonLogLines(service.stdout());
    expect(lines).toHaveLength(1);
    expect(lines[0].msg).toBe(
      `greet-cors-api 0.1.0 listening on ${service.url} (127.0.0.1:${new URL(service.url).port}), NODE_ENV=production, CORS origins: https://app.example.com; docs: off; metrics: ${service.metricsUrl}; rate limit: off`,
    );
    expect(lines[0]).toMatchObject({
      level: 'info',
      service: 'greet-cors-api',
      version: '0.1.0',
      nodeEnv: 'production',
      port: Number(new URL(service.url).port),
      bodyLimitBytes: 1048576,
      cors: { origins: ['https://app.example.com'], credentials: false, maxAge: 60 },
      docs: null,
      metrics: service.metricsUrl,
    });
    service.kill();
    // At debug, Nest's own module and route lines are there.
    service = await startService({ ...PROD, LOG_LEVEL: 'debug' });
    await sleep(200);
    const debug = jsonLogLines(service.stdout()).filter((l) => l.level === 'debug');
    expect(debug.map((l) => l.context)).toEqual(
      expect.arrayContaining(['InstanceLoader', 'RouterExplorer']),
    );
  });

  it("every line carries service, version, a level word and an ISO time; a request's lines share its reqId", async () => {
    service = await startService({ ...PROD, LOG_LEVEL: 'info' });
    await request(service.url)
      .post('/greet')
      .set('Origin', 'https://evil.example')
      .set('User-Agent', 'probe/1.0')
      .set('X-Request-Id', 'incident-42')
      .send({ name: 'A' })
      .expect(403);
    await request(service.url)
      .post('/greet')
      .set('Origin', 'https://app.example.com')
      .set('User-Agent', 'browser/2.0')
      .send({ lang: 'es' })
      .expect(400);
    await sleep(200);
    const lines = jsonLogLines(service.stdout());
    for (const line of lines) {
      expect(line).toMatchObject({ service: 'greet-cors-api', version: '0.1.0' });
      expect(['debug', 'info', 'warn', 'error']).toContain(line.level);
      expect(String(line.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    // A refusal writes one line: its access line, at warn, saying why.
    const incident = lines.filter((line) => line.reqId === 'incident-42');
    expect(incident).toEqual([
      expect.objectContaining({
        level: 'warn',
        msg: 'CORS refused POST "/greet": origin "https://evil.example" not allowed',
        status: 403,
        reason: 'Origin not allowed',
        cors: 'origin_not_allowed',
        origin: 'https://evil.example',
        userAgent: 'probe/1.0',
        bytes: expect.any(Number),
      }),
    ]);
    const invalid = lines.find((line) => line.status === 400);
    expect(invalid).toMatchObject({
      reason: "Missing required field: 'name'",
      origin: 'https://app.example.com',
      userAgent: 'browser/2.0',
      bytes: expect.any(Number),
    });
  });

  it('never logs a query, and cuts a long path: a 404 for /x?token=… neither', async () => {
    service = await startService({ ...PROD, LOG_LEVEL: 'info' });
    const res = await request(service.url).get('/nope?token=query-secret&x=1').expect(404);
    // The client's message has the path alone too.
    expect(res.body).toEqual({ statusCode: 404, error: 'Cannot GET /nope' });
    const long = `/${'a'.repeat(12_000)}`;
    await request(service.url).get(long).expect(404);
    await sleep(200);
    const output = service.stdout();
    expect(output).not.toContain('query-secret');
    const lines = output.split('\n').filter((line) => line.includes('request completed'));
    for (const line of lines) expect(line.length).toBeLessThan(1500);
    const access = jsonLogLines(output).filter((l) => l.msg === 'request completed');
    expect(access.map((l) => l.reason)).toEqual([
      'Cannot GET /nope',
      expect.stringMatching(/^Cannot GET \/a+…$/),
    ]);
  });

  it('a client that disconnects mid-body is logged as aborted, with no status', async () => {
    service = await startService({ ...PROD, LOG_LEVEL: 'info' });
    const { port } = new URL(service.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      'POST /greet HTTP/1.1\r\nHost: x\r\nX-Request-Id: gone-1\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{"name":',
    );
    await sleep(100);
    socket.destroy();
    await sleep(300);
    const line = jsonLogLines(service.stdout()).find((l) => l.reqId === 'gone-1');
    expect(line).toMatchObject({ msg: 'request aborted', aborted: true, method: 'POST' });
    expect(line).not.toHaveProperty('status');
    expect(line).not.toHaveProperty('cut');
  });

  it('logs a CORS refusal with its reason, and health probes only at debug', async () => {
    service = await startService({ ...PROD, LOG_LEVEL: 'debug' });
    await request(service.url)
      .post('/greet')
      .set('Origin', 'https://evil.example')
      .send({ name: 'A' });
    await request(service.url).get('/health/live');
    await sleep(200);
    const lines = jsonLogLines(service.stdout());
    expect(lines.filter((line) => line.status === 403)).toEqual([
      expect.objectContaining({
        level: 'warn',
        msg: 'CORS refused POST "/greet": origin "https://evil.example" not allowed',
      }),
    ]);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'debug', msg: 'request completed', path: '/health/live' }),
    );
  });

  it('LOG_LEVEL=warn drops access lines but keeps refusals', async () => {
    service = await startService({ ...PROD, LOG_LEVEL: 'warn' });
    await request(service.url).post('/greet').send({ name: 'A' });
    await request(service.url).post('/greet').set('Origin', 'null').send({ name: 'A' });
    await sleep(200);
    const lines = jsonLogLines(service.stdout());
    expect(lines.filter((line) => line.msg === 'request completed')).toEqual([]);
    expect(lines.filter((line) => line.level === 'warn').map((line) => line.msg)).toEqual([
      'CORS refused POST "/greet": origin "null" not allowed',
    ]);
  });

  it('ACCESS_LOG=errors keeps only 4xx, 5xx and refused requests; off writes no access line', async () => {
    const send = async (target: ServiceProcess) => {
      await request(target.url).post('/greet').send({ name: 'A' }).expect(200);
      await request(target.url).post('/greet').send({}).expect(400);
      await request(target.url).post('/greet').set('Origin', 'null').send({}).expect(403);
      await request(target.url).get('/nope').expect(404);
      await sleep(200);
      return jsonLogLines(target.stdout()).filter((line) => line.reqId !== undefined);
    };
    service = await startService({ ...PROD, LOG_LEVEL: 'info', ACCESS_LOG: 'errors' });
    expect((await send(service)).map((line) => line.status)).toEqual([400, 403, 404]);
    service.kill();
    service = await startService({ ...PROD, LOG_LEVEL: 'info', ACCESS_LOG: 'off' });
    expect(await send(service)).toEqual([]);
  });

  it('development: human-readable lines, not JSON', async () => {
    service = await startService({ NODE_ENV: 'development', LOG_LEVEL: 'info' });
    await request(service.url).post('/greet').send({ name: 'A' });
    await service.waitForOutput('request completed');
    const line =
      service
        .stdout()
        .split('\n')
        .find((l) => l.includes('request completed')) ?? '';
    expect(line.startsWith('{')).toBe(false);
    expect(line).toMatch(/INFO/);
  });
});
