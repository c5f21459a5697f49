import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { killAllChildrenNow, trackChild } from './child-registry';
import { pinRunnerAndPlanServers } from './cpu-pinning';
import { findFreePort } from './free-port';
import { SCENARIOS } from './scenarios';
import { startServer, waitUntilHealthy, ServerProcess } from './server-process';
import { median, pairedRatios, RatioSummary } from './stats';
import { TARGETS, Target } from './targets';
import { formatTable } from './text-table';
import { loadServer, writeScript } from './wrk';

/**
 * What the rate limits cost (issue 22): POST /greet, allowed origin, on the service with limits
 * off, with the memory store and with the redis store (Debian's redis-server on loopback), all up
 * at once, rounds rotating the order, wrk pinned to one core and the servers (and Redis) to the
 * other; each target's req/s divided by the limits-off figure of the same round. The budget is
 * far above what a run sends, so every request is counted and admitted: the cost of counting,
 * not of refusing. Redis shares the servers' core here, so its own CPU counts against the redis
 * figure (in production it runs elsewhere).
 *
 *   npm run bench:rate-limit -- [--rounds 6] [--secs 3] [--connections 50]
 */

const REDIS_BIN = '/usr/bin/redis-server';
const HUGE_BUDGET = '1000000000';

function parse() {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '6' },
      secs: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '50' },
    },
  });
  return {
    rounds: Number(values.rounds),
    secs: Number(values.secs),
    warmup: Number(values.warmup),
    connections: Number(values.connections),
  };
}

async function startRedis(cpu: number | undefined): Promise<string> {
  if (!existsSync(REDIS_BIN))
    throw new Error(`${REDIS_BIN} not found: apt-get install redis-server`);
  const port = await findFreePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child =
    cpu === undefined
      ? spawn(REDIS_BIN, args, { stdio: 'ignore' })
      : spawn('/usr/bin/taskset', ['-c', String(cpu), REDIS_BIN, ...args], { stdio: 'ignore' });
  trackChild(child);
  await sleep(300);
  return `redis://127.0.0.1:${port}/0`;
}

async function main(): Promise<void> {
  const options = parse();
  const pinning = pinRunnerAndPlanServers();
  process.stderr.write(`${pinning.note}\n`);
  const redisUrl = await startRedis(pinning.serverCpu);
  const base = TARGETS.service;
  const variants: Array<{ label: string; target: Target }> = [
    { label: 'limits off', target: base },
    {
      label: 'memory store',
      target: { ...base, env: { ...base.env, RATE_LIMIT_MAX: HUGE_BUDGET } },
    },
    {
      label: 'redis store',
      target: {
        ...base,
        env: {
          ...base.env,
          RATE_LIMIT_MAX: HUGE_BUDGET,
          RATE_LIMIT_STORE: 'redis',
          REDIS_URL: redisUrl,
          RATE_LIMIT_ON_STORE_ERROR: 'closed',
        },
      },
    },
  ];
  const servers: ServerProcess[] = [];
  try {
    for (const [i, { target }] of variants.entries()) {
      const server = await startServer(target, pinning, `rate-limit-${i}`);
      await waitUntilHealthy(server, server.spawnedAt);
      servers.push(server);
    }
    const scenario = SCENARIOS.find((s) => s.id === 'allowed');
    if (scenario === undefined) throw new Error('no allowed scenario');
    const script = writeScript('rate-limit-allowed', [scenario]);
    const settings = { connections: options.connections, threads: 1 };
    for (const server of servers)
      await loadServer(pinning, server, script, options.warmup, settings);
    const rps = variants.map(() => new Map<number, number>());
    const p99 = variants.map(() => [] as number[]);
    const non2xx = variants.map(() => 0);
    for (let round = 1; round <= options.rounds; round++) {
      const order = variants.map((_, i) => (i + round - 1) % variants.length);
      process.stderr.write(`round ${round}: ${order.map((i) => variants[i].label).join(', ')}\n`);
      for (const i of order) {
        const figures = await loadServer(pinning, servers[i], script, options.secs, settings);
        rps[i].set(round, figures.requestsPerSec);
        p99[i].push(figures.latencyMs.p99);
        non2xx[i] += figures.non2xx + figures.socketErrors;
      }
    }
    const fmt = (r: RatioSummary | undefined) =>
      r === undefined ? '—' : `${r.median.toFixed(3)} (${r.min.toFixed(3)}–${r.max.toFixed(3)})`;
    const rows = variants.map(({ label }, i) => [
      label,
      String(Math.round(median([...rps[i].values()]) ?? 0)),
      fmt(pairedRatios(rps[i], rps[0])),
      (median(p99[i]) ?? 0).toFixed(2),
      String(non2xx[i]),
    ]);
    process.stdout.write(
      `POST /greet (allowed origin), ${options.rounds} rounds × ${options.secs} s, ${options.connections} connections\n` +
        formatTable(
          ['target', 'median req/s', 'ratio to limits off: median (min–max)', 'p99 ms', 'errors'],
          rows,
          ['left', 'right', 'right', 'right', 'right'],
        ) +
        '\n',
    );
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    killAllChildrenNow();
  }
}

main().catch((error: unknown) => {
  killAllChildrenNow();
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
