import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import request from 'supertest';
import { HttpMetrics } from '../src/metrics/http-metrics';
import { REFUSAL_CODES } from 'nest-strict-cors';
import { startCorsApp, sendRaw } from './helpers/cors-requests';
import { parseSamples, Sample, sumOf } from './helpers/prometheus-text';
import { rawRequest } from './helpers/raw-http';
import { TestApp } from './helpers/test-app';

const APP = 'https://app.example.com';
const DURATION = 'http_server_request_duration_seconds_count';
const CORS = 'cors_decisions_total';
const ROUTES = ['/greet', '/greet/languages', '/health', '/health/live', '/health/ready'];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];

async function scrape(app: TestApp): Promise<Sample[]> {
  return parseSamples(await app.app.get(HttpMetrics).registry.metrics());
}

/**
 * Responses are recorded when their connection is done with them, a moment after the client has
 * read them: waits until nothing is in flight.
 */
async function settled(app: TestApp): Promise<Sample[]> {
  for (let i = 0; i < 100; i++) {
    const samples = await scrape(app);
    if (sumOf(samples, 'http_server_active_requests') === 0) return samples;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('requests stayed in flight');
}

function durationSeries(samples: readonly Sample[]): Sample[] {
  return samples.filter((s) => s.name === DURATION);
}

describe('Prometheus metrics (real app, read from its registry)', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startCorsApp({ CORS_ALLOWED_ORIGINS: APP, BODY_LIMIT: '1kb' });
  });
  afterEach(() => app.close());

  it('counts every response by method, route template and status, answers before routing included', async () => {
    const api = request(app.url);
    await api.post('/greet').set('Origin', APP).send({ name: 'Ann' }).expect(200);
    await api.post('/GREET/').set('Origin', APP).send({ name: 'Bo' }).expect(200);
    await api
      .options('/greet')
      .set('Origin', APP)
      .set('Access-Control-Request-Method', 'POST')
      .expect(204);
    await api
      .options('/greet')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'POST')
      .expect(403);
    await api.post('/greet').set('Origin', 'https://evil.example').send({ name: 'E' }).expect(403);
    await api
      .post('/greet')
      .set('Origin', APP)
      .send({ name: 'x'.repeat(2000) })
      .expect(413);
    await api.get('/greet').expect(405);
    await api.get('/greet/languages').expect(200);
    await api.get('/health/live').expect(200);
    await api.get('/no/such/path-7f3a').expect(404);
    const propfind = await sendRaw(app.url, { method: 'PROPFIND', path: '/greet' });
    expect(propfind.status).toBe(405);

    const samples = await settled(app);
    const count = (method: string, route: string, status: number) =>
      sumOf(samples, DURATION, {
        http_request_method: method,
        http_route: route,
        http_response_status_code: String(status),
      });
    expect(count('POST', '/greet', 200)).toBe(2);
    expect(count('OPTIONS', '/greet', 204)).toBe(1);
    expect(count('OPTIONS', '/greet', 403)).toBe(1);
    expect(count('POST', '/greet', 403)).toBe(1);
    expect(count('POST', '/greet', 413)).toBe(1);
    expect(count('GET', '/greet', 405)).toBe(1);
    expect(count('GET', '/greet/languages', 200)).toBe(1);
    expect(count('GET', '/health/live', 200)).toBe(1);
    expect(count('GET', 'unmatched', 404)).toBe(1);
    expect(count('_OTHER', '/greet', 405)).toBe(1);
    expect(sumOf(samples, DURATION)).toBe(11);
    // The client's raw path and origin never become label values.
    const labelValues = samples.flatMap((s) => Object.values(s.labels));
    expect(labelValues.filter((v) => /no\/such|evil|PROPFIND/i.test(v))).toEqual([]);
    // Buckets resolve sub-millisecond answers: every response here took well under a second.
    const sub = sumOf(samples, 'http_server_request_duration_seconds_bucket', { le: '1' });
    expect(sub).toBe(11);
    expect(
      samples.some(
        (s) => s.name === 'http_server_request_duration_seconds_bucket' && s.labels.le === '0.0001',
      ),
    ).toBe(true);
  });

  it('counts CORS decisions by kind, outcome and a fixed reason', async () => {
    const api = request(app.url);
    const preflight = (origin: string, method = 'POST', headers?: string) => {
      const req = api
        .options('/greet')
        .set('Origin', origin)
        .set('Access-Control-Request-Method', method);
      return headers === undefined ? req : req.set('Access-Control-Request-Headers', headers);
    };
    await api.post('/greet').set('Origin', APP).send({ name: 'A' }).expect(200);
    await api.post('/greet').send({ name: 'A' }).expect(200);
    await api.post('/greet').set('Origin', 'https://evil.example').send({ name: 'A' }).expect(403);
    await api.post('/greet').set('Origin', 'null').send({ name: 'A' }).expect(403);
    const twice = await sendRaw(app.url, {
      method: 'POST',
      path: '/greet',
      headers: [
        ['Origin', APP],
        ['Origin', APP],
        ['Content-Type', 'application/json'],
      ],
      body: '{"name":"A"}',
    });
    expect(twice.status).toBe(403);
    await preflight(APP, 'POST', 'content-type').expect(204);
    await preflight('https://evil.example').expect(403);
    await preflight(APP, 'DELETE').expect(403);
    await preflight(APP, 'POST', 'x-secret').expect(403);
    await preflight(APP, 'POST', 'x'.repeat(5000)).expect(403);

    const samples = await settled(app);
    const decisions = samples
      .filter((s) => s.name === CORS)
      .map((s) => `${s.labels.kind} ${s.labels.outcome} ${s.labels.reason} ${s.value}`)
      .sort();
    expect(decisions).toEqual(
      [
        'actual allowed none 1',
        'actual not_cors none 1',
        'actual refused origin_not_allowed 1',
        'actual refused null_origin 1',
        'actual refused multiple_origins 1',
        'preflight allowed none 1',
        'preflight refused origin_not_allowed 1',
        'preflight refused method_not_allowed 1',
        'preflight refused header_not_allowed 1',
        'preflight refused request_headers_too_long 1',
      ].sort(),
    );
  });

  it('keeps every label within a fixed set whatever clients send', async () => {
    const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/);
    const inputs = fc.sample(
      fc.record({
        method: fc.oneof(fc.constantFrom(...METHODS, 'PROPFIND', 'MKCOL', 'M-SEARCH'), token),
        path: fc.oneof(
          fc.constantFrom(...ROUTES),
          fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)),
        ),
        origin: fc.oneof(fc.constant(APP), fc.webUrl(), fc.string()),
        preflight: fc.boolean(),
        header: token,
      }),
      { numRuns: 150, seed: 12 },
    );
    for (const input of inputs) {
      const headers: Array<readonly [string, string]> = [
        ['Origin', input.origin.replace(/[\r\n]/g, '')],
      ];
      if (input.preflight) {
        headers.push(['Access-Control-Request-Method', input.method]);
        headers.push(['Access-Control-Request-Headers', input.header]);
      }
      await sendRaw(app.url, {
        method: input.preflight ? 'OPTIONS' : input.method,
        path: encodeURI(input.path),
        headers,
      }).catch(() => undefined);
    }
    const samples = await settled(app);
    const duration = durationSeries(samples);
    for (const { labels } of duration) {
      expect([...METHODS, '_OTHER']).toContain(labels.http_request_method);
      expect([...ROUTES, 'unmatched']).toContain(labels.http_route);
      expect(labels.http_response_status_code ?? labels.error_type).toMatch(
        /^([1-5]\d\d|aborted)$/,
      );
    }
    for (const { labels } of samples.filter((s) => s.name === CORS)) {
      expect(['actual', 'preflight']).toContain(labels.kind);
      expect(['allowed', 'refused', 'not_cors']).toContain(labels.outcome);
      expect(['none', ...REFUSAL_CODES]).toContain(labels.reason);
    }
    // 10 methods × 6 routes × a handful of statuses, whatever the 150 requests were.
    expect(duration.length).toBeLessThan(60);
  });

  it("counts requests still waiting for their connection's turn as in flight, and none once it is gone", async () => {
    // 2,000 pipelined requests sent at once and never read: at most 32 are worked on, the rest
    // of what Node parsed waits (pipeline-limit.ts). Those never started count as aborted.
    const { port } = new URL(app.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.pause();
    socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(2000));
    let active = 0;
    for (let i = 0; i < 100 && active === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      active = sumOf(await scrape(app), 'http_server_active_requests');
    }
    expect(active).toBeGreaterThan(0);
    socket.destroy();
    const samples = await settled(app);
    // Exactly zero, never below: every request counted once, whether it started or not.
    expect(sumOf(samples, 'http_server_active_requests')).toBe(0);
    const counted = sumOf(samples, DURATION, { http_route: '/health/live' });
    expect(counted).toBeGreaterThan(0);
    expect(counted).toBeLessThanOrEqual(2000);
  });

  it('shows requests in flight, and one the client abandoned as aborted, without a status', async () => {
    const { port } = new URL(app.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /greet HTTP/1.1\r\nHost: x\r\nOrigin: ${APP}\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{"name":`,
    );
    let active = 0;
    for (let i = 0; i < 100 && active === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      active = sumOf(await scrape(app), 'http_server_active_requests');
    }
    expect(active).toBe(1);
    socket.destroy();
    const samples = await settled(app);
    expect(
      sumOf(samples, DURATION, {
        http_request_method: 'POST',
        http_route: '/greet',
        error_type: 'aborted',
      }),
    ).toBe(1);
    expect(durationSeries(samples).filter((s) => s.labels.error_type === 'aborted')).toEqual([
      expect.objectContaining({
        labels: expect.not.objectContaining({ http_response_status_code: expect.anything() }),
      }),
    ]);
  });

  it("counts what Node's parser refuses, apart (no method, route or duration to record)", async () => {
    const res = await rawRequest(
      app.url,
      'GET /greet HTTP/1.1\r\nHost: x\r\nBad\u0001Header: y\r\n\r\n',
    );
    expect(res.status).toBe(400);
    const samples = await settled(app);
    expect(
      sumOf(samples, 'http_server_parser_errors_total', { http_response_status_code: '400' }),
    ).toBe(1);
    // A response all the same: in the histogram too, on no route.
    expect(
      sumOf(samples, DURATION, {
        http_request_method: '_OTHER',
        http_route: 'unmatched',
        http_response_status_code: '400',
      }),
    ).toBe(1);
  });

  it('serves the process and Node metrics and app_info with the package version', async () => {
    const samples = await scrape(app);
    const names = new Set(samples.map((s) => s.name));
    for (const name of [
      'process_resident_memory_bytes',
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(names).toContain(name);
    }
    const text = await app.app.get(HttpMetrics).registry.metrics();
    expect(text).toContain('# TYPE nodejs_gc_duration_seconds histogram');
    const { version } = JSON.parse(
      readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'),
    ) as { version: string };
    expect(samples.filter((s) => s.name === 'app_info')).toEqual([
      { name: 'app_info', labels: { version }, value: 1 },
    ]);
  });
});

describe('Swagger UI routes (DOCS_ENABLED=true)', () => {
  it('count as /docs, /docs-json and /docs-yaml, assets included, whatever Express rewrites', async () => {
    const app = await startCorsApp({ DOCS_ENABLED: 'true' });
    try {
      const api = request(app.url);
      await api.get('/docs/').expect(200);
      await api.get('/docs/swagger-ui.css').expect(200);
      await api.get('/docs-json').expect(200);
      await api.get('/docs-yaml').expect(200);
      const samples = await settled(app);
      const routes = (route: string) =>
        sumOf(samples, DURATION, { http_route: route, http_response_status_code: '200' });
      expect([routes('/docs'), routes('/docs-json'), routes('/docs-yaml')]).toEqual([2, 1, 1]);
      expect(sumOf(samples, DURATION, { http_route: 'unmatched' })).toBe(0);
    } finally {
      await app.close();
    }
  });
});

describe('METRICS_ENABLED=false', () => {
  it('records nothing and runs no collector', async () => {
    const app = await startCorsApp({ METRICS_ENABLED: 'false' });
    try {
      await request(app.url).post('/greet').send({ name: 'A' }).expect(200);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const samples = await scrape(app);
      expect(sumOf(samples, DURATION)).toBe(0);
      expect(samples.filter((s) => s.name.startsWith('process_'))).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
