import net from 'node:net';
import request from 'supertest';
import { parseSamples, sumOf } from './helpers/prometheus-text';
import { freePort, runService, ServiceProcess, startService } from './helpers/spawn-service';

const PROD = { NODE_ENV: 'production', CORS_ALLOWED_ORIGINS: 'https://app.example.com' };

/** Whether anything accepts TCP connections on 127.0.0.1:port. */
function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('the metrics listener (spawned dist/main.js)', () => {
  let service: ServiceProcess | undefined;
  afterEach(() => service?.kill());

  it('serves /metrics on METRICS_PORT only: the public port answers 404', async () => {
    service = await startService(PROD);
    await request(service.url).post('/greet').send({ name: 'A' }).expect(200);
    const publicMetrics = await request(service.url).get('/metrics');
    expect(publicMetrics.status).toBe(404);
    expect(publicMetrics.text).not.toContain('http_server');

    const scrape = await fetch(service.metricsUrl);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const samples = parseSamples(await scrape.text());
    expect(
      sumOf(samples, 'http_server_request_duration_seconds_count', {
        http_request_method: 'POST',
        http_route: '/greet',
        http_response_status_code: '200',
      }),
    ).toBe(1);
    expect(sumOf(samples, 'process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
    expect(samples.some((s) => s.name === 'app_info')).toBe(true);
  });

  it('answers only GET and HEAD /metrics there, with JSON errors', async () => {
    service = await startService(PROD);
    const base = service.metricsUrl.replace(/\/metrics$/, '');
    const other = await fetch(`${base}/greet`);
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual({ statusCode: 404, error: 'Not found' });
    const post = await fetch(service.metricsUrl, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect(await post.json()).toEqual({ statusCode: 405, error: 'Method not allowed' });
    const head = await fetch(service.metricsUrl, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  it('METRICS_ENABLED=false opens no port', async () => {
    const metricsPort = await freePort();
    service = await startService({
      ...PROD,
      METRICS_ENABLED: 'false',
      METRICS_PORT: String(metricsPort),
    });
    expect(await isListening(metricsPort)).toBe(false);
    await request(service.url).get('/metrics').expect(404);
  });

  it('a metrics port already taken stops the start, naming METRICS_PORT', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      const result = await runService({ ...PROD, METRICS_PORT: String(taken) });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `Startup failed: METRICS_PORT=${taken} on METRICS_HOST=127.0.0.1 cannot be listened on: EADDRINUSE`,
      );
      expect(result.stderr).not.toContain('    at ');
    } finally {
      blocker.close();
    }
  });

  it.each([
    [
      { METRICS_PORT: 'nine' },
      'Invalid configuration: METRICS_PORT must be an integer 1-65535, got "nine"',
    ],
    [
      { METRICS_ENABLED: 'on' },
      'Invalid configuration: METRICS_ENABLED must be "true" or "false", got "on"',
    ],
    [
      { METRICS_HOST: 'bad host!' },
      'Invalid configuration: METRICS_HOST must be a hostname or IP address, got "bad host!"',
    ],
    [
      { PORT: '9999', METRICS_PORT: '9999' },
      'Invalid configuration: METRICS_PORT must differ from PORT (9999): the metrics listener needs its own port, got "9999"',
    ],
  ])('refuses %j at startup', async (env, line) => {
    const result = await runService({ ...PROD, ...env });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(line);
  });
});
