import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { checkBars } from './bars';
import { buildService } from './build-service';
import { killAllChildrenNow } from './child-registry';
import { CliOptions, USAGE, parseCliOptions } from './cli-options';
import { measureColdStarts } from './cold-start';
import { CpuPinning, pinRunnerAndPlanServers } from './cpu-pinning';
import { MIXED_SECONDS, SETTLE_SECONDS, runMixedLoad } from './mixed-load';
import { runPrechecks } from './prechecks';
import { readStatusKb } from './proc-stats';
import { formatReport } from './report';
import { writeLatestResults } from './results-file';
import { RunReport, TargetResult } from './results-model';
import { LiveTarget, runRounds } from './rounds';
import { startServer, waitUntilHealthy } from './server-process';
import { REFERENCE_TARGET, SERVICE_TARGETS, TARGETS, Target } from './targets';
import { WRK, wrkAvailable } from './wrk';

/** Progress goes to stderr, so that stdout holds only the tables (or, with --json, the JSON). */
const progress = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Debian's wrk, installed as the CI script installs its tools (root, apt-get). */
function installWrk(): boolean {
  process.stderr.write(`bench: ${WRK} not found; installing Debian's wrk (apt-get)…\n`);
  const apt = (args: string[]) =>
    spawnSync('apt-get', args, {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    }).status === 0;
  return (
    apt(['update']) && apt(['install', '-y', '--no-install-recommends', 'wrk']) && wrkAvailable()
  );
}

/** No server or wrk may outlive the runner, however it ends. */
function installCleanup(): void {
  process.on('exit', killAllChildrenNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAllChildrenNow();
      process.stderr.write(`\nbench: interrupted by ${signal}, servers stopped\n`);
      process.exit(130);
    });
  }
}

/** Builds the service when it is a target; a failed build fails the service's targets only. */
async function prepareService(
  options: CliOptions,
): Promise<{ build: RunReport['build']; unavailable?: string }> {
  if (!options.targets.some((name) => SERVICE_TARGETS.includes(name))) {
    return { build: 'not needed' };
  }
  if (!options.build) return { build: 'skipped' };
  progress('building the service (npm run build)…');
  const result = await buildService();
  if (result.ok) return { build: 'built' };
  return { build: 'failed', unavailable: `npm run build failed:\n${result.output}` };
}

/**
 * Starts every target at once, each on its own port, and pre-checks each. Returns the ones that
 * passed, up and ready to load; the others are stopped and their results say why.
 */
async function startTargets(
  targets: readonly Target[],
  results: TargetResult[],
  pinning: CpuPinning,
  unavailable: string | undefined,
): Promise<LiveTarget[]> {
  const started = await Promise.all(
    targets.map(async (target): Promise<LiveTarget | undefined> => {
      const result: TargetResult = {
        name: target.name,
        description: target.description,
        outcome: 'failed',
        scenarios: {},
      };
      results.push(result);
      const problem = SERVICE_TARGETS.includes(target.name) ? unavailable : undefined;
      if (problem !== undefined || !existsSync(target.entry)) {
        result.error = problem ?? `${target.entry} does not exist`;
        return undefined;
      }
      const server = await startServer(target, pinning);
      try {
        await waitUntilHealthy(server, server.spawnedAt);
      } catch (error) {
        result.error = messageOf(error);
        await server.stop();
        return undefined;
      }
      return { server, result };
    }),
  );
  results.sort(
    (a, b) =>
      targets.findIndex((t) => t.name === a.name) - targets.findIndex((t) => t.name === b.name),
  );
  const live: LiveTarget[] = [];
  for (const candidate of started) {
    if (candidate === undefined) continue;
    const { server, result } = candidate;
    result.precheck = await runPrechecks(server.port, server.target);
    if (result.precheck.passed) {
      result.outcome = 'measured';
      live.push(candidate);
    } else {
      result.outcome = 'precheck-failed';
      progress(`${result.name}: pre-check FAILED, not loaded`);
      await server.stop();
    }
  }
  return live;
}

async function main(): Promise<number> {
  let options: CliOptions | undefined;
  try {
    options = parseCliOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench: ${messageOf(error)}\n\n${USAGE}`);
    return 2;
  }
  if (options === undefined) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!wrkAvailable() && !installWrk()) {
    process.stderr.write(`bench: ${WRK} not found, and installing Debian's wrk failed\n`);
    return 2;
  }
  installCleanup();
  const startedAt = new Date();
  const started = performance.now();

  const { build, unavailable } = await prepareService(options);
  const pinning = pinRunnerAndPlanServers();
  progress(pinning.note);

  const selected = options.targets.map((name) => TARGETS[name]);
  const results: TargetResult[] = [];
  const live = await startTargets(selected, results, pinning, unavailable);
  progress(`up and pre-checked: ${live.map((t) => t.result.name).join(', ') || 'none'}`);
  let roundOrders: RunReport['roundOrders'] = [];
  try {
    roundOrders = await runRounds(live, options, pinning, progress);
    for (const { server, result } of live) {
      const kb = readStatusKb(server.pid, 'VmHWM');
      if (kb !== undefined) result.peakRssMb = kb / 1024;
    }
  } finally {
    await Promise.all(live.map(({ server }) => server.stop()));
  }
  const referencePeak = results.find((r) => r.name === REFERENCE_TARGET)?.peakRssMb;
  for (const result of results) {
    if (result.peakRssMb !== undefined && referencePeak !== undefined) {
      result.peakRssRatio = result.peakRssMb / referencePeak;
    }
  }

  // The memory check and the cold start run with no other target up, on fresh processes, for the
  // targets that started and answered correctly.
  const passed = (name: Target['name']) =>
    results.find((r) => r.name === name)?.precheck?.passed === true;
  let mixed: RunReport['mixed'];
  if (options.mixed) {
    const mixedTargets = selected.filter(
      (t) => (SERVICE_TARGETS.includes(t.name) || t.name === REFERENCE_TARGET) && passed(t.name),
    );
    mixed = {
      seconds: MIXED_SECONDS,
      settleSeconds: options.settle ? SETTLE_SECONDS : undefined,
      results: await runMixedLoad(mixedTargets, options, pinning, progress),
    };
  }
  let coldStart: RunReport['coldStart'];
  if (options.cold && passed('service') && passed(REFERENCE_TARGET)) {
    coldStart = await measureColdStarts(
      TARGETS.service,
      TARGETS[REFERENCE_TARGET],
      pinning,
      progress,
    );
  } else if (options.cold) {
    progress(`cold start skipped: it pairs service with ${REFERENCE_TARGET}, both must be up`);
  }

  const report: RunReport = {
    startedAt: startedAt.toISOString(),
    wallClockSec: Math.round((performance.now() - started) / 100) / 10,
    node: process.version,
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    pinning,
    options,
    build,
    reference: REFERENCE_TARGET,
    roundOrders,
    targets: results,
    mixed,
    coldStart,
    bars: checkBars(results, mixed?.results, coldStart),
  };
  const path = writeLatestResults(report);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    process.stdout.write(`\n${formatReport(report)}\n\n`);
    process.stdout.write(`wall clock ${report.wallClockSec} s; results written to ${path}\n`);
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    killAllChildrenNow();
    process.stderr.write(
      `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
