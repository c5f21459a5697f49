import request from 'supertest';
import { rawRequest } from './helpers/raw-http';
import { jsonLogLines, ServiceProcess, startService } from './helpers/spawn-service';

const ENV = {
  NODE_ENV: 'production',
  CORS_ALLOWED_ORIGINS: 'https://app.example.com',
  LOG_LEVEL: 'info',
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A refused request writes one line: its access line, at warn, with the reason in `msg`, the
 * fixed refusal code in `cors` and the client's `error` in `reason`.
 */
describe('CORS refusal diagnostics (spawned dist/main.js)', () => {
  let service: ServiceProcess;
  let seen = 0;

  beforeAll(async () => {
    service = await startService(ENV);
  });
  afterAll(() => service.kill());

  /** The warn lines written since the last call (the log is flushed within 100 ms). */
  async function newWarnings(): Promise<Array<Record<string, unknown>>> {
    await sleep(200);
    const lines = jsonLogLines(service.stdout());
    const fresh = lines.slice(seen);
    seen = lines.length;
    return fresh.filter((line) => line.level === 'warn');
  }

  beforeAll(async () => {
    await newWarnings();
  });

  it('logs a refused origin in one line, with the reason', async () => {
    await request(service.url)
      .post('/greet')
      .set('Origin', 'https://evil.example')
      .send({ name: 'A' })
      .expect(403);
    expect(await newWarnings()).toEqual([
      expect.objectContaining({
        msg: 'CORS refused POST "/greet": origin "https://evil.example" not allowed',
        status: 403,
        reason: 'Origin not allowed',
        cors: 'origin_not_allowed',
        origin: 'https://evil.example',
      }),
    ]);
    const refusedLines = jsonLogLines(service.stdout()).filter((l) => l.status === 403);
    expect(refusedLines).toHaveLength(1);
  });

  it('logs a refused preflight method and header', async () => {
    const preflight = (method: string, headers: string) =>
      request(service.url)
        .options('/greet')
        .set('Origin', 'https://app.example.com')
        .set('Access-Control-Request-Method', method)
        .set('Access-Control-Request-Headers', headers)
        .expect(403);
    await preflight('DELETE', 'content-type');
    await preflight('POST', 'content-type,x-secret');
    const lines = await newWarnings();
    expect(lines.map((line) => [line.msg, line.cors, line.reason])).toEqual([
      [
        'CORS refused OPTIONS "/greet": method "DELETE" not allowed',
        'method_not_allowed',
        'Method not allowed by CORS policy',
      ],
      [
        'CORS refused OPTIONS "/greet": header "x-secret" not allowed',
        'header_not_allowed',
        'Request header not allowed by CORS policy',
      ],
    ]);
  });

  it('quotes and shortens hostile values so they cannot forge or flood log lines', async () => {
    await request(service.url).get('/greet/languages?x=1').set('Origin', 'null').expect(403);
    const hostile = `https://e.example" ok="${'x'.repeat(500)}`;
    await request(service.url).post('/greet').set('Origin', hostile).expect(403);
    const lines = await newWarnings();
    expect(lines.map((line) => line.msg)).toEqual([
      'CORS refused GET "/greet/languages": origin "null" not allowed',
      `CORS refused POST "/greet": origin ${JSON.stringify(hostile.slice(0, 100) + '…')} not allowed`,
    ]);
    expect(lines[1].origin).toBe(`${hostile.slice(0, 200)}…`);
  });

  it('names the path the router sees: an absolute-form target with "?" in its authority is "/"', async () => {
    const res = await rawRequest(
      service.url,
      'GET http://h?/greet/languages HTTP/1.1\r\nHost: h\r\nOrigin: https://evil.example\r\n\r\n',
    );
    expect(res.status).toBe(403);
    expect((await newWarnings()).map((line) => line.msg)).toEqual([
      'CORS refused GET "/": origin "https://evil.example" not allowed',
    ]);
  });

  it('logs no warning for allowed or non-CORS requests', async () => {
    await request(service.url)
      .post('/greet')
      .set('Origin', 'https://app.example.com')
      .send({ name: 'A' })
      .expect(200);
    await request(service.url).post('/greet').send({ name: 'A' }).expect(200);
    expect(await newWarnings()).toEqual([]);
  });
});
