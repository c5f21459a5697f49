import { setTimeout as sleep } from 'node:timers/promises';
import { RedisServer, startRedis } from './helpers/redis-server';
import { ServiceProcess, startService } from './helpers/spawn-service';

/**
 * Rate limits on a real redis-server shared by two replicas of the service, and what happens
 * when Redis goes away (killed) or hangs (SIGSTOP) and comes back.
 */

jest.setTimeout(60_000);

const APP = 'https://app.example.com';
const JSON_TYPE = { 'Content-Type': 'application/json' };
const DOWN = 'Rate-limit store unavailable (redis at ';
const BACK = 'Rate-limit store available again (redis at ';

function redisEnv(redis: RedisServer, extra: Record<string, string> = {}) {
  return {
    NODE_ENV: 'production',
    CORS_ALLOWED_ORIGINS: APP,
    LOG_LEVEL: 'info',
    RATE_LIMIT_STORE: 'redis',
    REDIS_URL: redis.url,
    // Each test is its own client (X-Forwarded-For from a trusted proxy), so budgets and the
    // replicas' memory of blocked clients never carry over from one test to the next.
    TRUST_PROXY: '1',
    ...extra,
  };
}

let clientSeq = 0;
const newClient = () => `203.0.113.${++clientSeq}`;

async function greet(url: string, client: string, headers: Record<string, string> = {}) {
  const started = performance.now();
  const res = await fetch(`${url}/greet`, {
    method: 'POST',
    headers: { ...JSON_TYPE, 'X-Forwarded-For': client, ...headers },
    body: '{"name":"Ada"}',
  });
  const body = await res.text();
  return { res, body, ms: performance.now() - started };
}

function count(text: string, part: string): number {
  return text.split(part).length - 1;
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('two replicas share one budget per client on Redis (RATE_LIMIT_MAX=20)', () => {
  let redis: RedisServer;
  let replicas: ServiceProcess[];

  beforeAll(async () => {
    redis = await startRedis();
    replicas = await Promise.all([
      startService(redisEnv(redis, { RATE_LIMIT_MAX: '20' })),
      startService(redisEnv(redis, { RATE_LIMIT_MAX: '20' })),
    ]);
  });
  afterAll(async () => {
    for (const replica of replicas ?? []) replica.kill();
    await redis?.kill();
  });

  it('each replica names the store in its startup line', async () => {
    for (const replica of replicas) {
      await replica.waitForOutput('listening on');
      expect(replica.stdout()).toContain(
        `; rate limit: 20 per 60 s per client (redis at ${redis.url}, open on store errors), TRUST_PROXY=1`,
      );
      // Connected at once: no outage was logged.
      expect(replica.stdout()).not.toContain(DOWN);
    }
  });

  it('40 concurrent requests across both replicas: exactly 20 admitted, each budget slot once', async () => {
    const client = newClient();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => greet(replicas[i % 2].url, client)),
    );
    const statuses = results.map(({ res }) => res.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    // No two admitted requests saw the same count: one atomic increment each.
    const remaining = results
      .filter(({ res }) => res.status === 200)
      .map(({ res }) => Number(res.headers.get('x-ratelimit-remaining')))
      .sort((a, b) => a - b);
    expect(remaining).toEqual(Array.from({ length: 20 }, (_, i) => i));
    // Both replicas admitted some: the budget is the deployment's, not a process's.
    const admittedBy = [0, 1].map(
      (r) => results.filter(({ res }, i) => i % 2 === r && res.status === 200).length,
    );
    expect(admittedBy[0]).toBeGreaterThan(0);
    expect(admittedBy[1]).toBeGreaterThan(0);
  });

  it('a budget spent on one replica is spent on the other, and the count lives in Redis', async () => {
    const client = newClient();
    for (let i = 0; i < 20; i++) {
      const { res } = await greet(replicas[i < 10 ? 0 : 1].url, client);
      expect(res.status).toBe(200);
    }
    const { res, body } = await greet(replicas[0].url, client);
    expect(res.status).toBe(429);
    expect(body).toBe('{"statusCode":429,"error":"Too many requests"}');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const keys = await redis.command('KEYS *');
    expect(keys).toContain(client);
    // 20 admitted, and the refused 21st counted too (the replica then refuses from memory).
    const stored = await redis.command(`GET greet-cors-api:rl:env:${client}`);
    expect(stored.split('\r\n')[1]).toBe('21');
  });

  it('another client has its own budget', async () => {
    const spender = newClient();
    for (let i = 0; i < 21; i++) await greet(replicas[i % 2].url, spender);
    const { res } = await greet(replicas[1].url, newClient());
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-remaining')).toBe('19');
  });

  it('Redis killed: served unlimited at once (open), one warning, ready; back: counting again, one line', async () => {
    const [replica] = replicas;
    await redis.kill();
    const client = newClient();
    const during = [];
    for (let i = 0; i < 25; i++) during.push(await greet(replica.url, client));
    expect(during.map(({ res }) => res.status)).toEqual(Array(25).fill(200));
    for (const { res, ms } of during) {
      expect(res.headers.get('x-ratelimit-limit')).toBeNull();
      expect(ms).toBeLessThan(1000);
    }
    expect((await fetch(`${replica.url}/health/ready`)).status).toBe(200);
    expect((await fetch(`${replica.url}/health/live`)).status).toBe(200);
    await replica.waitForOutput(DOWN);
    expect(count(replica.stdout(), DOWN)).toBe(1);
    expect(replica.stdout()).toContain('serving without limits until it is back');
    const metrics = await (await fetch(replica.metricsUrl)).text();
    const errors = Number(/^rate_limit_store_errors_total (\d+)$/m.exec(metrics)?.[1]);
    expect(errors).toBeGreaterThanOrEqual(25);

    await redis.start();
    await until(
      async () => (await greet(replica.url, newClient())).res.headers.has('x-ratelimit-limit'),
      10_000,
      'counting to resume',
    );
    await replica.waitForOutput(BACK);
    const fresh = newClient();
    const after = await greet(replica.url, fresh);
    expect(after.res.headers.get('x-ratelimit-remaining')).toBe('19');
    expect(count(replica.stdout(), DOWN)).toBe(1);
    expect(count(replica.stdout(), BACK)).toBe(1);
    // The other replica reconnected by itself too.
    await until(
      async () =>
        (await greet(replicas[1].url, fresh)).res.headers.get('x-ratelimit-remaining') === '18',
      10_000,
      'the second replica to count again',
    );
  });
});

describe('RATE_LIMIT_ON_STORE_ERROR=closed', () => {
  let redis: RedisServer;
  let service: ServiceProcess;

  beforeAll(async () => {
    redis = await startRedis();
    await redis.kill();
  });
  afterAll(async () => {
    service?.kill();
    await redis?.kill();
  });

  it('starts without Redis: live, not ready, 503 with Retry-After and CORS; ready and counting once Redis is up', async () => {
    service = await startService(
      redisEnv(redis, { RATE_LIMIT_MAX: '5', RATE_LIMIT_ON_STORE_ERROR: 'closed' }),
    );
    expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${service.url}/health/ready`)).status).toBe(503);
    const { res, body, ms } = await greet(service.url, newClient(), { Origin: APP });
    expect(res.status).toBe(503);
    expect(body).toBe('{"statusCode":503,"error":"Rate limit store unavailable"}');
    expect(res.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(ms).toBeLessThan(1000);
    // Probes are never counted, so they answer.
    expect((await fetch(`${service.url}/health`)).status).toBe(503);
    await service.waitForOutput(DOWN);
    expect(service.stdout()).toContain('answering counted requests 503 until it is back');

    await redis.start();
    await until(
      async () => (await fetch(`${service.url}/health/ready`)).status === 200,
      10_000,
      'readiness',
    );
    const ok = await greet(service.url, newClient(), { Origin: APP });
    expect(ok.res.status).toBe(200);
    expect(ok.res.headers.get('x-ratelimit-remaining')).toBe('4');
    await service.waitForOutput(BACK);
    expect(count(service.stdout(), DOWN)).toBe(1);
  });

  it('Redis hanging (SIGSTOP): each request answered 503 within ~1 s, never a crash; thawed: counting again', async () => {
    redis.freeze();
    try {
      const results = await Promise.all(
        Array.from({ length: 10 }, () => greet(service.url, newClient())),
      );
      for (const { res, ms } of results) {
        expect(res.status).toBe(503);
        expect(ms).toBeLessThan(1500);
      }
      // Once the store is known to be down, no request waits for it.
      const later = await greet(service.url, newClient());
      expect(later.res.status).toBe(503);
      expect(later.ms).toBeLessThan(250);
      expect((await fetch(`${service.url}/health/ready`)).status).toBe(503);
    } finally {
      redis.thaw();
    }
    // No request needed: the store notices by itself that Redis answers again, and so does
    // readiness (a replica out of the Service gets no requests to find out with).
    await until(
      async () => (await fetch(`${service.url}/health/ready`)).status === 200,
      5_000,
      'readiness after the thaw',
    );
    await until(
      async () => (await greet(service.url, newClient())).res.status === 200,
      10_000,
      'counting after the thaw',
    );
    expect(service.child.exitCode).toBeNull();
    const metrics = await (await fetch(service.metricsUrl)).text();
    expect(
      Number(/^rate_limit_store_errors_total (\d+)$/m.exec(metrics)?.[1]),
    ).toBeGreaterThanOrEqual(11);
  });

  it('a clean shutdown logs no outage of the store', async () => {
    await service.waitForOutput(BACK);
    const downs = count(service.stdout(), DOWN);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(count(service.stdout(), DOWN)).toBe(downs);
    expect(service.stdout()).toContain('Shut down cleanly');
  });
});
