import { cpus } from 'node:os';
import { benchmarkTarget } from './benchmark-target';
import { buildService } from './build-service';
import { killAllChildrenNow } from './child-registry';
import { CliOptions, USAGE, parseCliOptions } from './cli-options';
import { pinRunnerAndPlanServers } from './cpu-pinning';
import { ratiosAgainst } from './ratios';
import { formatReport } from './report';
import { writeLatestResults } from './results-file';
import { RunReport, TargetResult } from './results-model';
import { REFERENCE_TARGET, SERVICE_TARGETS, TARGETS } from './targets';

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** No server may outlive the runner, however it ends. */
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

/** Builds the service when it is a target; a failed build fails that target only. */
async function prepareService(
  options: CliOptions,
): Promise<{ build: RunReport['build']; unavailable?: string }> {
  if (!options.targets.some((name) => SERVICE_TARGETS.includes(name))) {
    return { build: 'not needed' };
  }
  if (!options.build) return { build: 'skipped' };
  say('building the service (npm run build)…');
  const result = await buildService();
  if (result.ok) return { build: 'built' };
  return { build: 'failed', unavailable: `npm run build failed:\n${result.output}` };
}

async function main(): Promise<number> {
  let options: CliOptions | undefined;
  try {
    options = parseCliOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(
      `bench: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`,
    );
    return 2;
  }
  if (options === undefined) {
    say(USAGE);
    return 0;
  }
  installCleanup();
  const startedAt = new Date();
  const started = performance.now();

  const { build, unavailable } = await prepareService(options);
  const pinning = pinRunnerAndPlanServers();
  say(pinning.note);

  const results: TargetResult[] = [];
  for (const target of TARGETS.filter((t) => options.targets.includes(t.name))) {
    const serviceProblem = SERVICE_TARGETS.includes(target.name) ? unavailable : undefined;
    results.push(await benchmarkTarget(target, pinning, options, serviceProblem, say));
  }

  const reference = results.find((r) => r.name === REFERENCE_TARGET);
  const report: RunReport = {
    startedAt: startedAt.toISOString(),
    wallClockSec: Math.round((performance.now() - started) / 100) / 10,
    node: process.version,
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    pinning,
    options,
    build,
    reference: REFERENCE_TARGET,
    targets: results.map((r) => ({ ...r, ratios: ratiosAgainst(r, reference) })),
  };
  say('');
  say(formatReport(report));
  const path = writeLatestResults(report);
  say('');
  say(`wall clock ${report.wallClockSec} s; results written to ${path}`);
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
