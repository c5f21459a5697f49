import request from 'supertest';
import { WarnAndErrorCollector } from './helpers/log-collectors';
import { startTestApp, TestApp } from './helpers/test-app';

describe('CORS refusal diagnostics (e2e)', () => {
  let server: TestApp;
  const logger = new WarnAndErrorCollector();

  beforeAll(async () => {
    server = await startTestApp({ CORS_ALLOWED_ORIGINS: 'https://app.example.com' }, logger);
  });
  afterAll(() => server.close());
  beforeEach(() => logger.warnings.splice(0));

  it('logs a refused origin once, with the reason', async () => {
    await request(server.url)
      .post('/greet')
      .set('Origin', 'https://evil.example')
      .send({ name: 'A' });
    expect(logger.warnings).toEqual([
      'CORS refused POST "/greet": origin "https://evil.example" not allowed',
    ]);
  });

  it('logs a refused preflight method and header', async () => {
    const preflight = (method: string, headers: string) =>
      request(server.url)
        .options('/greet')
        .set('Origin', 'https://app.example.com')
        .set('Access-Control-Request-Method', method)
        .set('Access-Control-Request-Headers', headers);
    await preflight('DELETE', 'content-type');
    await preflight('POST', 'content-type,x-secret');
    expect(logger.warnings).toEqual([
      'CORS refused OPTIONS "/greet": method "DELETE" not allowed',
      'CORS refused OPTIONS "/greet": header "x-secret" not allowed',
    ]);
  });

  it('quotes and shortens hostile values so they cannot forge or flood log lines', async () => {
    await request(server.url).get('/greet/languages?x=1').set('Origin', 'null');
    const hostile = `https://e.example" ok="${'x'.repeat(500)}`;
    await request(server.url).post('/greet').set('Origin', hostile);
    expect(logger.warnings).toEqual([
      'CORS refused GET "/greet/languages": origin "null" not allowed',
      `CORS refused POST "/greet": origin ${JSON.stringify(hostile.slice(0, 100) + '…')} not allowed`,
    ]);
  });

  it('logs nothing for allowed or non-CORS requests', async () => {
    await request(server.url)
      .post('/greet')
      .set('Origin', 'https://app.example.com')
      .send({ name: 'A' });
    await request(server.url).post('/greet').send({ name: 'A' });
    expect(logger.warnings).toEqual([]);
  });
});
