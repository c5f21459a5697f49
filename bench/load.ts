import autocannon from 'autocannon';
import { LOOPBACK } from './http-probe';
import { readCpuSeconds, readMachineBusySeconds } from './proc-stats';
import { Scenario } from './scenarios';

export interface LoadOptions {
  durationSec: number;
  warmupSec: number;
  connections: number;
}

export interface ScenarioResult {
  requestsPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMeanMs: number;
  totalRequests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Responses per HTTP status, e.g. { "204": 81234 }. */
  statusCounts: Record<string, number>;
  /**
   * The server's CPU use over the measured window, in % of one core. Well under 100 means the
   * server was waiting for requests: the load generator, not the server, set the pace.
   */
  serverCpuPercent?: number;
  /**
   * CPU used by everything but the server and this runner, in % of one core: other processes
   * competing for the two cores, plus some kernel networking. High values mean noisy figures.
   */
  otherCpuPercent?: number;
}

interface CpuSnapshot {
  at: number;
  server?: number;
  machine?: number;
  runner: number;
}

function cpuSnapshot(serverPid: number): CpuSnapshot {
  const { user, system } = process.cpuUsage();
  return {
    at: performance.now(),
    server: readCpuSeconds(serverPid),
    machine: readMachineBusySeconds(),
    runner: (user + system) / 1e6,
  };
}

/** Server and "everything else" CPU between two snapshots, in % of one core. */
function cpuShares(
  before: CpuSnapshot,
  after: CpuSnapshot,
): Pick<ScenarioResult, 'serverCpuPercent' | 'otherCpuPercent'> {
  const elapsedSec = (after.at - before.at) / 1000;
  const percent = (seconds: number) => (100 * seconds) / elapsedSec;
  if (before.server === undefined || after.server === undefined) return {};
  const server = after.server - before.server;
  if (before.machine === undefined || after.machine === undefined) {
    return { serverCpuPercent: percent(server) };
  }
  const other = after.machine - before.machine - server - (after.runner - before.runner);
  return { serverCpuPercent: percent(server), otherCpuPercent: percent(Math.max(0, other)) };
}

function fire(
  port: number,
  scenario: Scenario,
  durationSec: number,
  connections: number,
): autocannon.Instance {
  return autocannon({
    url: `http://${LOOPBACK}:${port}${scenario.path}`,
    method: scenario.method,
    headers: scenario.headers,
    body: scenario.body,
    connections,
    // One request in flight per connection, as browsers and HTTP/1.1 proxies send them.
    pipelining: 1,
    duration: durationSec,
    timeout: 10,
    title: scenario.id,
  });
}

/**
 * Loads one scenario after an unrecorded warm-up at the same concurrency, so the measured window
 * sees JIT-compiled code and a settled heap rather than start-up costs.
 */
export async function runScenario(
  server: { port: number; pid: number },
  scenario: Scenario,
  options: LoadOptions,
): Promise<ScenarioResult> {
  const { port, pid } = server;
  if (options.warmupSec > 0) await fire(port, scenario, options.warmupSec, options.connections);
  const before = cpuSnapshot(pid);
  const result = await fire(port, scenario, options.durationSec, options.connections);
  const after = cpuSnapshot(pid);
  const statusCounts: Record<string, number> = {};
  for (const [status, { count }] of Object.entries(result.statusCodeStats)) {
    statusCounts[status] = count;
  }
  return {
    requestsPerSec: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyMeanMs: result.latency.average,
    totalRequests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCounts,
    ...cpuShares(before, after),
  };
}
