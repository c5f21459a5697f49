import { Ratios, TargetResult } from './results-model';

function ratio(value: number | undefined, reference: number | undefined): number | undefined {
  if (value === undefined || reference === undefined || reference === 0) return undefined;
  return value / reference;
}

export function ratiosAgainst(target: TargetResult, reference: TargetResult | undefined): Ratios {
  const ref = reference?.outcome === 'measured' ? reference : undefined;
  return {
    allowedRps: ratio(
      target.scenarios.allowed?.requestsPerSec,
      ref?.scenarios.allowed?.requestsPerSec,
    ),
    allowedP99: ratio(target.scenarios.allowed?.latencyP99Ms, ref?.scenarios.allowed?.latencyP99Ms),
    preflightRps: ratio(
      target.scenarios.preflight?.requestsPerSec,
      ref?.scenarios.preflight?.requestsPerSec,
    ),
    disallowedRps: ratio(
      target.scenarios.disallowed?.requestsPerSec,
      ref?.scenarios.disallowed?.requestsPerSec,
    ),
    peakRss: ratio(target.peakRssMb, ref?.peakRssMb),
    coldStart: ratio(target.coldStart?.medianMs, reference?.coldStart?.medianMs),
  };
}

/** The service's targets. They are printed beside its ratios as a bar to read against, not asserted. */
export interface Bar {
  ratio: keyof Ratios;
  label: string;
  /** How the bar is named in a table heading, where the scenario is already given. */
  short: string;
  comparison: '≥' | '≤';
  threshold: number;
}

export const SERVICE_BARS: readonly Bar[] = [
  {
    ratio: 'allowedRps',
    label: '(a) allowed POST throughput',
    short: 'req/s',
    comparison: '≥',
    threshold: 1.0,
  },
  {
    ratio: 'allowedP99',
    label: '(a) allowed POST p99 latency',
    short: 'p99',
    comparison: '≤',
    threshold: 1.0,
  },
  {
    ratio: 'preflightRps',
    label: '(b) preflight throughput',
    short: 'req/s',
    comparison: '≥',
    threshold: 1.3,
  },
  {
    ratio: 'disallowedRps',
    label: '(c) disallowed POST throughput',
    short: 'req/s',
    comparison: '≥',
    threshold: 1.5,
  },
  { ratio: 'peakRss', label: 'peak RSS', short: 'peak RSS', comparison: '≤', threshold: 1.0 },
  { ratio: 'coldStart', label: 'cold start', short: 'cold start', comparison: '≤', threshold: 1.2 },
];

export function barMet(bar: Bar, value: number | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  return bar.comparison === '≥' ? value >= bar.threshold : value <= bar.threshold;
}
