import { CliOptions } from './cli-options';
import { CpuPinning } from './cpu-pinning';
import { PrecheckReport } from './prechecks';
import { ScenarioId } from './scenarios';
import { RatioSummary } from './stats';
import { TargetName } from './targets';

/** One wrk run of one scenario against one target in one round. */
export interface RoundSample {
  /** 1-based. */
  round: number;
  /** 1-based place of the target in that round's (rotated) order. */
  position: number;
  requestsPerSec: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  socketErrors: number;
}

export interface ScenarioFigures {
  samples: RoundSample[];
  medianRps?: number;
  /** The median over rounds of wrk's p99. */
  medianP99Ms?: number;
  /** req/s divided by the reference's req/s of the same round, over the rounds. */
  ratio?: RatioSummary;
  /** Summed over the measured rounds (warm-up excluded). */
  non2xx: number;
  socketErrors: number;
}

/**
 * measured: pre-checks passed and every round ran; precheck-failed: answered wrongly, so not
 * loaded; failed: could not be built, started or loaded (the rounds it finished are kept).
 */
export type TargetOutcome = 'measured' | 'precheck-failed' | 'failed';

export interface TargetResult {
  name: TargetName;
  description: string;
  outcome: TargetOutcome;
  error?: string;
  precheck?: PrecheckReport;
  scenarios: Partial<Record<ScenarioId, ScenarioFigures>>;
  /** VmHWM in MiB: the kernel's high-water mark over the process's life, read after the rounds. */
  peakRssMb?: number;
  peakRssRatio?: number;
}

export interface MixedResult {
  name: TargetName;
  error?: string;
  /** VmRSS in MiB after the warm-up, at the end of the 20 s, and (--settle) at 60 s. */
  warmRssMb?: number;
  endRssMb?: number;
  settleRssMb?: number;
  /** endRssMb / warmRssMb. */
  growth?: number;
  requests: number;
  non2xx: number;
  socketErrors: number;
}

export interface ColdStartResult {
  service: TargetName;
  reference: TargetName;
  /** Spawn to first 200, per pair, in run order. */
  serviceMs: number[];
  referenceMs: number[];
  serviceMedianMs?: number;
  referenceMedianMs?: number;
  /** service / reference, pair by pair. */
  ratio?: RatioSummary;
  error?: string;
}

export interface BarResult {
  label: string;
  comparison: '≥' | '≤';
  threshold: number;
  value?: number;
  /** undefined when a figure it needs is missing (target left out or failed). */
  met?: boolean;
}

export interface RunReport {
  startedAt: string;
  wallClockSec: number;
  node: string;
  cpu: string;
  pinning: CpuPinning;
  options: CliOptions;
  build: 'built' | 'skipped' | 'failed' | 'not needed';
  reference: TargetName;
  /** The order the targets were loaded in, per round. */
  roundOrders: TargetName[][];
  targets: TargetResult[];
  mixed?: { seconds: number; settleSeconds?: number; results: MixedResult[] };
  coldStart?: ColdStartResult;
  bars: BarResult[];
}
