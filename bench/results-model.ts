import { ColdStartResult } from './cold-start';
import { CpuPinning } from './cpu-pinning';
import { CliOptions } from './cli-options';
import { ScenarioResult } from './load';
import { PrecheckReport } from './prechecks';
import { ScenarioId } from './scenarios';
import { TargetName } from './targets';
import { UnderAttackResult } from './under-attack';

/**
 * measured: pre-checks passed and every scenario ran; precheck-failed: answered wrongly, so not
 * loaded; failed: could not be built, started or loaded.
 */
export type TargetOutcome = 'measured' | 'precheck-failed' | 'failed';

export interface TargetResult {
  name: TargetName;
  description: string;
  outcome: TargetOutcome;
  error?: string;
  precheck?: PrecheckReport;
  scenarios: Partial<Record<ScenarioId, ScenarioResult>>;
  /** (d): a greeting client while hostile clients loop 1 MB bodies. */
  underAttack?: UnderAttackResult;
  /** MiB, over the whole loaded run (start-up included). */
  peakRssMb?: number;
  coldStart?: ColdStartResult;
  coldStartError?: string;
}

/** Each figure divided by the reference's figure from the same run. */
export interface Ratios {
  allowedRps?: number;
  allowedP99?: number;
  preflightRps?: number;
  disallowedRps?: number;
  peakRss?: number;
  coldStart?: number;
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
  targets: (TargetResult & { ratios: Ratios })[];
}
