import { CliOptions } from './cli-options';
import { CpuPinning } from './cpu-pinning';
import { RoundSample, ScenarioFigures, TargetResult } from './results-model';
import { SCENARIOS, Scenario } from './scenarios';
import { ServerProcess } from './server-process';
import { median, pairedRatios } from './stats';
import { REFERENCE_TARGET, TargetName } from './targets';
import { WrkResult, loadServer, writeScript } from './wrk';

/** A target that is up, passed its pre-checks and is being loaded. */
export interface LiveTarget {
  server: ServerProcess;
  result: TargetResult;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Round r (0-based) starts r places further down the list, so no target is always first or last. */
function rotated<T>(items: readonly T[], round: number): T[] {
  const shift = items.length === 0 ? 0 : round % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

/**
 * One wrk run; a target whose server dies or whose run fails is marked failed and left out of
 * every later run, the others go on.
 */
async function load(
  live: LiveTarget,
  scenario: Scenario,
  script: string,
  seconds: number,
  options: CliOptions,
  pinning: CpuPinning,
  progress: (line: string) => void,
): Promise<WrkResult | undefined> {
  const { server, result } = live;
  try {
    return await loadServer(pinning, server, script, seconds, options);
  } catch (error) {
    result.outcome = 'failed';
    result.error = `${scenario.id}: ${messageOf(error)}`;
    progress(`  ${result.name} FAILED: ${result.error.split('\n', 1)[0]}`);
    return undefined;
  }
}

/**
 * The warm-up (every scenario against every target, unrecorded), then the rounds: each round runs
 * every scenario against every target, in an order that rotates from round to round. All targets
 * are up the whole time on the same server core; only the one being loaded is busy. Returns the
 * order of each round; the samples go into each target's result.
 */
export async function runRounds(
  targets: readonly LiveTarget[],
  options: CliOptions,
  pinning: CpuPinning,
  progress: (line: string) => void,
): Promise<TargetName[][]> {
  const scripts = new Map(SCENARIOS.map((s) => [s.id, writeScript(s.id, [s])]));
  const script = (scenario: Scenario) => scripts.get(scenario.id) ?? '';
  const active = (list: readonly LiveTarget[]) =>
    list.filter((t) => t.result.outcome === 'measured');
  const samples = new Map<TargetResult, Map<Scenario['id'], RoundSample[]>>(
    targets.map((t) => [t.result, new Map(SCENARIOS.map((s) => [s.id, []]))]),
  );

  if (options.warmupSec > 0) {
    progress(`warm-up: ${options.warmupSec} s per scenario per target`);
    for (const scenario of SCENARIOS) {
      for (const live of active(targets)) {
        await load(live, scenario, script(scenario), options.warmupSec, options, pinning, progress);
      }
    }
  }

  const orders: TargetName[][] = [];
  for (let round = 0; round < options.rounds; round++) {
    const order = active(rotated(targets, round));
    orders.push(order.map((t) => t.result.name));
    progress(`round ${round + 1}/${options.rounds}: ${order.map((t) => t.result.name).join(', ')}`);
    for (const scenario of SCENARIOS) {
      for (const [index, live] of order.entries()) {
        if (live.result.outcome !== 'measured') continue;
        const figures = await load(
          live,
          scenario,
          script(scenario),
          options.secs,
          options,
          pinning,
          progress,
        );
        if (figures === undefined) continue;
        samples
          .get(live.result)
          ?.get(scenario.id)
          ?.push({
            round: round + 1,
            position: index + 1,
            requestsPerSec: figures.requestsPerSec,
            requests: figures.requests,
            p50Ms: figures.latencyMs.p50,
            p99Ms: figures.latencyMs.p99,
            maxMs: figures.latencyMs.max,
            non2xx: figures.non2xx,
            socketErrors: figures.socketErrors,
          });
      }
    }
  }

  for (const [result, byScenario] of samples) {
    for (const [id, list] of byScenario) result.scenarios[id] = summarise(list);
  }
  const reference = targets.find((t) => t.result.name === REFERENCE_TARGET)?.result;
  for (const { result } of targets) {
    for (const scenario of SCENARIOS) {
      const figures = result.scenarios[scenario.id];
      const theirs = reference?.scenarios[scenario.id];
      if (figures !== undefined && theirs !== undefined) {
        figures.ratio = pairedRatios(byRound(figures.samples), byRound(theirs.samples));
      }
    }
  }
  return orders;
}

/** A figure of each round's sample, keyed by round, for pairedRatios. */
export function byRound(
  samples: readonly RoundSample[],
  figure: (s: RoundSample) => number = (s) => s.requestsPerSec,
): Map<number, number> {
  return new Map(samples.map((s) => [s.round, figure(s)]));
}

function summarise(samples: RoundSample[]): ScenarioFigures {
  return {
    samples,
    medianRps: median(samples.map((s) => s.requestsPerSec)),
    medianP99Ms: median(samples.map((s) => s.p99Ms)),
    non2xx: samples.reduce((sum, s) => sum + s.non2xx, 0),
    socketErrors: samples.reduce((sum, s) => sum + s.socketErrors, 0),
  };
}
