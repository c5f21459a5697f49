import request from 'supertest';
import { PrometheusServer, startPrometheus } from './helpers/prometheus-server';
import { ServiceProcess, startService } from './helpers/spawn-service';

const APP = 'https://app.example.com';

/** Polls `read` until it returns `expected` (Prometheus scrapes every second). */
async function eventually<T>(read: () => Promise<T>, expected: T, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (JSON.stringify(last) !== JSON.stringify(expected) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    last = await read();
  }
  return last;
}

/**
 * The real thing: Debian's Prometheus scrapes the spawned service every second, and the counts
 * are read back through Prometheus's query API, so the exposition format, the names and the
 * labels are proven against Prometheus itself, not against a parser of ours.
 */
describe('scraped by a real Prometheus (spawned dist/main.js + /usr/bin/prometheus)', () => {
  let service: ServiceProcess;
  let prometheus: PrometheusServer;

  beforeAll(async () => {
    service = await startService({ NODE_ENV: 'production', CORS_ALLOWED_ORIGINS: APP });
    prometheus = await startPrometheus(new URL(service.metricsUrl).host);
  }, 40_000);

  afterAll(async () => {
    await prometheus?.stop();
    service?.kill();
  });

  it('reads the allowed and refused requests back through PromQL', async () => {
    const api = request(service.url);
    for (let i = 0; i < 3; i++) {
      await api
        .post('/greet')
        .set('Origin', APP)
        .send({ name: `A${i}` })
        .expect(200);
    }
    await api.post('/greet').set('Origin', 'https://evil.example').send({ name: 'E' }).expect(403);
    await api.post('/greet').set('Origin', 'null').send({ name: 'E' }).expect(403);
    await api
      .options('/greet')
      .set('Origin', APP)
      .set('Access-Control-Request-Method', 'DELETE')
      .expect(403);

    const value = async (expr: string) => {
      const result = await prometheus.query(expr);
      return result.map((sample) => sample.value[1]);
    };
    expect(await eventually(() => value('up{job="greet-cors-api"}'), ['1'])).toEqual(['1']);
    expect(
      await eventually(
        () =>
          value(
            'sum(http_server_request_duration_seconds_count{http_request_method="POST",http_route="/greet",http_response_status_code="200"})',
          ),
        ['3'],
      ),
    ).toEqual(['3']);
    expect(
      await eventually(
        () => value('sum by (kind, reason) (cors_decisions_total{outcome="refused"})'),
        ['1', '1', '1'],
      ),
    ).toEqual(['1', '1', '1']);
    const refused = await prometheus.query(
      'sum by (kind, reason) (cors_decisions_total{outcome="refused"})',
    );
    expect(refused.map((s) => `${s.metric.kind} ${s.metric.reason}`).sort()).toEqual([
      'actual null_origin',
      'actual origin_not_allowed',
      'preflight method_not_allowed',
    ]);
    expect(await value('sum(cors_decisions_total{outcome="allowed",kind="actual"})')).toEqual([
      '3',
    ]);
    // The default Node metrics and app_info arrive too.
    expect(await value('count(process_resident_memory_bytes)')).toEqual(['1']);
    expect(await value('count(nodejs_eventloop_lag_seconds)')).toEqual(['1']);
    expect((await prometheus.query('app_info'))[0]?.metric.version).toMatch(/^\d+\.\d+\.\d+/);
    // A latency quantile PromQL can compute from the buckets: under a second here.
    const [p99] = await value(
      'histogram_quantile(0.99, sum by (le) (http_server_request_duration_seconds_bucket{http_route="/greet"}))',
    );
    expect(Number(p99)).toBeLessThan(1);
  }, 60_000);

  it('finds the target healthy, with no scrape error', async () => {
    const res = await fetch(`${prometheus.url}/api/v1/targets`);
    const body = (await res.json()) as {
      data: { activeTargets: Array<{ health: string; lastError: string; scrapeUrl: string }> };
    };
    expect(body.data.activeTargets).toEqual([
      expect.objectContaining({ health: 'up', lastError: '', scrapeUrl: service.metricsUrl }),
    ]);
  });
});
