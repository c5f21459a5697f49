import { setTimeout as sleep } from 'node:timers/promises';
import { jsonLogLines, ServiceProcess, startService } from './helpers/spawn-service';
import { stalledRequest } from './helpers/raw-http';
import { upload } from './helpers/uploading-client';

/** Rate limits with the memory store (one process). The shared Redis budget: rate-limit-redis. */

const APP = 'https://app.example.com';
const BASE = { CORS_ALLOWED_ORIGINS: APP, LOG_LEVEL: 'info', NODE_ENV: 'production' };
const JSON_TYPE = { 'Content-Type': 'application/json' };
const LIMIT_HEADERS = ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'];

function greet(service: ServiceProcess, headers: Record<string, string> = {}) {
  return fetch(`${service.url}/greet`, {
    method: 'POST',
    headers: { ...JSON_TYPE, ...headers },
    body: '{"name":"Ada"}',
  });
}

function limitHeaders(res: Response) {
  return {
    limit: res.headers.get('x-ratelimit-limit'),
    remaining: res.headers.get('x-ratelimit-remaining'),
    reset: Number(res.headers.get('x-ratelimit-reset')),
    retryAfter: res.headers.get('retry-after'),
  };
}

async function spend(service: ServiceProcess, count: number, headers: Record<string, string> = {}) {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    const res = await greet(service, headers);
    await res.arrayBuffer();
    statuses.push(res.status);
  }
  return statuses;
}

describe('rate limits, memory store (RATE_LIMIT_MAX=3)', () => {
  let service: ServiceProcess;

  beforeEach(async () => {
    service = await startService({ ...BASE, RATE_LIMIT_MAX: '3' });
  });
  afterEach(() => service.kill());

  it('counts down X-RateLimit-Remaining, then answers 429 with the envelope and Retry-After', async () => {
    const seen = [];
    for (let i = 0; i < 3; i++) {
      const res = await greet(service);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ greeting: 'Hello, Ada!' });
      seen.push(limitHeaders(res));
    }
    expect(seen.map(({ limit, remaining }) => [limit, remaining])).toEqual([
      ['3', '2'],
      ['3', '1'],
      ['3', '0'],
    ]);
    for (const { reset, retryAfter } of seen) {
      expect(reset).toBeGreaterThanOrEqual(1);
      expect(reset).toBeLessThanOrEqual(60);
      expect(retryAfter).toBeNull();
    }
    const limited = await greet(service);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await limited.text()).toBe('{"statusCode":429,"error":"Too many requests"}');
    const headers = limitHeaders(limited);
    expect(headers.limit).toBe('3');
    expect(headers.remaining).toBe('0');
    expect(headers.retryAfter).toMatch(/^[1-9]\d*$/);
    expect(Number(headers.retryAfter)).toBeLessThanOrEqual(60);
    expect(headers.reset).toBeLessThanOrEqual(60);
    // The security headers and the request id are there as on every answer.
    expect(limited.headers.get('x-request-id')).toEqual(expect.any(String));
    expect(limited.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('a 429 to an allowed origin carries its CORS headers, and every answer exposes the limit headers', async () => {
    await spend(service, 3, { Origin: APP });
    const limited = await greet(service, { Origin: APP });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('access-control-allow-origin')).toBe(APP);
    expect(limited.headers.get('vary')).toMatch(/origin/i);
    const exposed = (limited.headers.get('access-control-expose-headers') ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase());
    expect(exposed).toEqual(expect.arrayContaining(['retry-after', ...LIMIT_HEADERS]));
  });

  it('a refused origin still gets its 403, and costs no budget', async () => {
    for (let i = 0; i < 5; i++) {
      const refused = await greet(service, { Origin: 'https://evil.example' });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('x-ratelimit-limit')).toBeNull();
    }
    expect(await spend(service, 4)).toEqual([200, 200, 200, 429]);
    // Over budget, a refused origin is still told why: its origin, not its rate.
    const refused = await greet(service, { Origin: 'https://evil.example' });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ statusCode: 403, error: 'Origin not allowed' });
  });

  it('never counts preflights, /health/* or the metrics port', async () => {
    for (let i = 0; i < 6; i++) {
      const preflight = await fetch(`${service.url}/greet`, {
        method: 'OPTIONS',
        headers: { Origin: APP, 'Access-Control-Request-Method': 'POST' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('x-ratelimit-limit')).toBeNull();
      for (const path of ['/health/live', '/health/ready', '/health']) {
        const probe = await fetch(`${service.url}${path}`);
        expect(probe.status).toBe(200);
        expect(probe.headers.get('x-ratelimit-limit')).toBeNull();
      }
      expect((await fetch(service.metricsUrl)).status).toBe(200);
    }
    expect(await spend(service, 4)).toEqual([200, 200, 200, 429]);
    // Probes keep answering for a client over budget.
    expect((await fetch(`${service.url}/health/ready`)).status).toBe(200);
  });

  it('counts unknown paths against the same budget (probing is traffic too), and 404s say so', async () => {
    const missing = await fetch(`${service.url}/no/such/path`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-ratelimit-remaining')).toBe('2');
    expect(await spend(service, 3)).toEqual([200, 200, 429]);
    const languages = await fetch(`${service.url}/greet/languages`);
    expect(languages.status).toBe(429);
  });

  it('counts rejections by route and writes one access line per 429 with the client', async () => {
    await spend(service, 5);
    await fetch(`${service.url}/nowhere`).then((res) => res.arrayBuffer());
    const metrics = await (await fetch(service.metricsUrl)).text();
    expect(metrics).toContain('rate_limit_rejections_total{http_route="/greet"} 2');
    expect(metrics).toContain('rate_limit_rejections_total{http_route="unmatched"} 1');
    expect(metrics).toMatch(/^rate_limit_store_errors_total 0$/m);
    await service.waitForOutput('"path":"/nowhere"');
    const lines = jsonLogLines(service.stdout()).filter((line) => line.status === 429);
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).toMatchObject({
        msg: 'request completed',
        reason: 'Too many requests',
        client: '127.0.0.1',
      });
    }
  });

  it('answers a limited upload before reading its body, and the uploading client gets it', async () => {
    await spend(service, 3);
    const big = Buffer.alloc(512 * 1024, 'a');
    big.write('{"name":"', 0);
    const outcome = await upload(service.url, {
      method: 'POST',
      path: '/greet',
      headers: JSON_TYPE,
      body: big,
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe(429);
    expect(outcome.body).toBe('{"statusCode":429,"error":"Too many requests"}');
    expect(outcome.headers?.connection).toBe('close');
    // Closed in stages: the access line says how much of the unread body was discarded.
    await service.waitForOutput('"lingered"');
    const line = jsonLogLines(service.stdout()).find((l) => l.lingered !== undefined);
    expect(line).toMatchObject({ status: 429 });
  });

  it('spoofing X-Forwarded-For buys no fresh budget (TRUST_PROXY=0)', async () => {
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      const res = await greet(service, { 'X-Forwarded-For': `203.0.113.${i}` });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });
});

describe('rate limits behind a trusted proxy (TRUST_PROXY=1)', () => {
  let service: ServiceProcess;

  beforeAll(async () => {
    service = await startService({ ...BASE, RATE_LIMIT_MAX: '2', TRUST_PROXY: '1' });
  });
  afterAll(() => service.kill());

  it('says so in the startup line', async () => {
    await service.waitForOutput('listening on');
    expect(service.stdout()).toContain(
      '; rate limit: 2 per 60 s per client (memory, per process), TRUST_PROXY=1',
    );
  });

  it('a trusted entry with a long IPv6 zone id counts as the address alone; the service lives on', async () => {
    const zoned = { 'X-Forwarded-For': `fe80::77%${'z'.repeat(12_000)}` };
    expect(await spend(service, 3, zoned)).toEqual([200, 200, 429]);
    expect(service.child.exitCode).toBeNull();
    await service.waitForOutput('"client":"fe80::77"');
    expect((await greet(service, { 'X-Forwarded-For': '198.51.100.250' })).status).toBe(200);
  });

  it('gives each client the proxy names its own budget, and logs that client', async () => {
    const proxied = (client: string) => ({ 'X-Forwarded-For': `198.51.100.77, ${client}` });
    expect(await spend(service, 3, proxied('203.0.113.1'))).toEqual([200, 200, 429]);
    expect(await spend(service, 3, proxied('203.0.113.2'))).toEqual([200, 200, 429]);
    // The leftmost entry is the client's own text: changing it changes nothing.
    expect(await spend(service, 1, { 'X-Forwarded-For': '9.9.9.9, 203.0.113.1' })).toEqual([429]);
    // IPv6 clients count by their /64.
    expect(await spend(service, 2, proxied('2001:db8:1:2::1'))).toEqual([200, 200]);
    expect(await spend(service, 1, proxied('2001:db8:1:2::ffff'))).toEqual([429]);
    await sleep(200);
    const clients = jsonLogLines(service.stdout())
      .filter((line) => line.msg === 'request completed')
      .map((line) => line.client)
      .filter((client) => typeof client === 'string' && client.startsWith('203.0.113.'));
    expect(clients.slice(0, 7)).toEqual([
      ...Array(3).fill('203.0.113.1'),
      ...Array(3).fill('203.0.113.2'),
      '203.0.113.1',
    ]);
  });
});

describe('a counted request whose body times out', () => {
  it('gets its 408 with the X-RateLimit-* lines it was counted with', async () => {
    const service = await startService({
      ...BASE,
      RATE_LIMIT_MAX: '5',
      REQUEST_TIMEOUT_MS: '1000',
      HEADERS_TIMEOUT_MS: '1000',
    });
    try {
      const port = new URL(service.url).port;
      const { response } = await stalledRequest(
        service.url,
        `POST /greet HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`,
        ['{"name":'],
      );
      expect(response.status).toBe(408);
      expect(response.headers['x-ratelimit-limit']).toBe('5');
      expect(response.headers['x-ratelimit-remaining']).toBe('4');
      expect(Number(response.headers['x-ratelimit-reset'])).toBeGreaterThanOrEqual(1);
    } finally {
      service.kill();
    }
  });
});

describe('rate limit windows and the default', () => {
  it('gives the budget back when the window ends (RATE_LIMIT_WINDOW_MS=1000)', async () => {
    const service = await startService({
      ...BASE,
      RATE_LIMIT_MAX: '1',
      RATE_LIMIT_WINDOW_MS: '1000',
    });
    try {
      const [first, second] = [await greet(service), await greet(service)];
      expect([first.status, second.status]).toEqual([200, 429]);
      expect(limitHeaders(second).retryAfter).toBe('1');
      expect(limitHeaders(first).reset).toBe(1);
      await sleep(1200);
      expect((await greet(service)).status).toBe(200);
    } finally {
      service.kill();
    }
  });

  it('is off by default: no limit headers, no 429', async () => {
    const service = await startService(BASE);
    try {
      const statuses = await spend(service, 30);
      expect(new Set(statuses)).toEqual(new Set([200]));
      const res = await greet(service);
      for (const name of LIMIT_HEADERS) expect(res.headers.get(name)).toBeNull();
    } finally {
      service.kill();
    }
  });
});
