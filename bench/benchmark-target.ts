import { existsSync } from 'node:fs';
import { measureColdStart } from './cold-start';
import { CpuPinning } from './cpu-pinning';
import { CliOptions } from './cli-options';
import { findTwoFreePorts } from './free-port';
import { runScenario } from './load';
import { runPrechecks } from './prechecks';
import { TargetResult } from './results-model';
import { PeakRssSampler } from './rss-sampler';
import { SCENARIOS } from './scenarios';
import { startServer, waitUntilHealthy } from './server-process';
import { Target } from './targets';
import { HOSTILE_CLIENTS, runUnderAttack } from './under-attack';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * One server process for the pre-checks and all three scenarios, so peak RSS covers a realistic
 * lifetime: start-up, then every kind of traffic.
 */
async function loadTarget(
  target: Target,
  pinning: CpuPinning,
  options: CliOptions,
  result: TargetResult,
  progress: (line: string) => void,
): Promise<void> {
  const [port, metricsPort] = await findTwoFreePorts();
  const server = startServer(target, port, pinning, metricsPort);
  const sampler = new PeakRssSampler(server.pid);
  try {
    await waitUntilHealthy(server, performance.now());
    result.precheck = await runPrechecks(port, target);
    if (!result.precheck.passed) {
      result.outcome = 'precheck-failed';
      return;
    }
    for (const scenario of SCENARIOS) {
      progress(`  ${scenario.label}`);
      result.scenarios[scenario.id] = await runScenario(server, scenario, options);
      if (server.hasExited()) {
        throw new Error(`server ${await server.exited} during load\n${server.outputTail()}`);
      }
    }
    // Peak RSS covers (a)–(c): the hostile bodies of (d) would swell a reference's heap.
    const peakRssMb = sampler.stop();
    progress(`  (d) greeting while ${HOSTILE_CLIENTS} clients send hostile bodies`);
    result.underAttack = await runUnderAttack(server.port, options.durationSec);
    if (server.hasExited()) {
      throw new Error(`server ${await server.exited} under attack\n${server.outputTail()}`);
    }
    result.outcome = 'measured';
    result.peakRssMb = peakRssMb;
  } finally {
    // Only a fully loaded run has a comparable peak; an idle or crashed one would flatter.
    sampler.stop();
    await server.stop();
  }
}

/** Everything measured for one target; failures are recorded in the result, never thrown. */
export async function benchmarkTarget(
  target: Target,
  pinning: CpuPinning,
  options: CliOptions,
  unavailable: string | undefined,
  progress: (line: string) => void,
): Promise<TargetResult> {
  const result: TargetResult = {
    name: target.name,
    description: target.description,
    outcome: 'failed',
    scenarios: {},
  };
  const reason =
    unavailable ?? (existsSync(target.entry) ? undefined : `${target.entry} does not exist`);
  if (reason !== undefined) {
    result.error = reason;
    return result;
  }

  progress(`${target.name}: pre-checks and load`);
  try {
    await loadTarget(target, pinning, options, result, progress);
  } catch (error) {
    result.outcome = 'failed';
    result.error = messageOf(error);
  }
  if (result.outcome === 'precheck-failed') progress('  pre-check FAILED: not loaded');

  // Measured even after a failed pre-check: start-up time does not depend on CORS being right.
  progress(`  cold start ×${options.coldStarts}`);
  try {
    result.coldStart = await measureColdStart(target, pinning, options.coldStarts);
  } catch (error) {
    result.coldStartError = messageOf(error);
  }
  return result;
}
