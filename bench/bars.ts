import { byRound } from './rounds';
import { BarResult, ColdStartResult, MixedResult, TargetResult } from './results-model';
import { ScenarioId } from './scenarios';
import { pairedRatios } from './stats';
import { SERVICE_TARGETS, TargetName } from './targets';

type Figure = { kind: 'rps'; scenario: ScenarioId } | { kind: 'p99' } | { kind: 'peakRss' };

interface PairBar {
  target: TargetName;
  versus: TargetName;
  figure: Figure;
  comparison: BarResult['comparison'];
  threshold: number;
}

const rps = (scenario: ScenarioId): Figure => ({ kind: 'rps', scenario });
const FIGURE_LABEL: Record<ScenarioId, string> = {
  allowed: 'POST',
  preflight: 'preflight',
  disallowed: 'refused POST',
};

/**
 * Issue 20's targets. Throughput and p99 bars are read on the median of the per-round ratios,
 * peak RSS on the ratio of the two high-water marks.
 */
const PAIR_BARS: readonly PairBar[] = [
  ...(
    [
      ['service', 'nest-enable-cors', [0.9, 1.2, 1.5], 1.0],
      ['service-fastify', 'nest-fastify-cors', [0.9, 1.0, 1.5], 1.0],
      ['service', 'nest-production', [1.3, 1.5, 2.0], 0.75],
    ] as const
  ).flatMap(([target, versus, [post, preflight, refused], rss]): PairBar[] => [
    { target, versus, figure: rps('allowed'), comparison: '≥', threshold: post },
    { target, versus, figure: rps('preflight'), comparison: '≥', threshold: preflight },
    { target, versus, figure: rps('disallowed'), comparison: '≥', threshold: refused },
    { target, versus, figure: { kind: 'peakRss' }, comparison: '≤', threshold: rss },
  ]),
  {
    target: 'service-fastify',
    versus: 'service',
    figure: rps('allowed'),
    comparison: '≥',
    threshold: 1.3,
  },
  {
    target: 'service',
    versus: 'nest-enable-cors',
    figure: { kind: 'p99' },
    comparison: '≤',
    threshold: 1.2,
  },
];

/** Growth of the service's RSS under the mixed load, end over warm. */
export const MIXED_GROWTH_BAR = 1.5;
export const COLD_START_BAR = 1.0;

function pairValue(bar: PairBar, targets: readonly TargetResult[]): number | undefined {
  const find = (name: TargetName) => targets.find((t) => t.name === name);
  const [mine, theirs] = [find(bar.target), find(bar.versus)];
  if (mine === undefined || theirs === undefined) return undefined;
  if (bar.figure.kind === 'peakRss') {
    if (mine.peakRssMb === undefined || theirs.peakRssMb === undefined) return undefined;
    return mine.peakRssMb / theirs.peakRssMb;
  }
  const scenario = bar.figure.kind === 'rps' ? bar.figure.scenario : 'allowed';
  const [a, b] = [mine.scenarios[scenario]?.samples, theirs.scenarios[scenario]?.samples];
  if (a === undefined || b === undefined) return undefined;
  if (bar.figure.kind === 'rps') return pairedRatios(byRound(a), byRound(b))?.median;
  const p99 = (s: { p99Ms: number }) => s.p99Ms;
  return pairedRatios(byRound(a, p99), byRound(b, p99))?.median;
}

function pairLabel(bar: PairBar): string {
  const what =
    bar.figure.kind === 'rps'
      ? `${FIGURE_LABEL[bar.figure.scenario]} req/s`
      : bar.figure.kind === 'p99'
        ? 'POST p99'
        : 'peak RSS';
  return `${bar.target} / ${bar.versus}: ${what}`;
}

function verdict(
  label: string,
  comparison: BarResult['comparison'],
  threshold: number,
  value: number | undefined,
): BarResult {
  const met =
    value === undefined ? undefined : comparison === '≥' ? value >= threshold : value <= threshold;
  return { label, comparison, threshold, value, met };
}

export function checkBars(
  targets: readonly TargetResult[],
  mixed: readonly MixedResult[] | undefined,
  coldStart: ColdStartResult | undefined,
): BarResult[] {
  const bars = PAIR_BARS.map((bar) =>
    verdict(pairLabel(bar), bar.comparison, bar.threshold, pairValue(bar, targets)),
  );
  for (const result of mixed ?? []) {
    if (!SERVICE_TARGETS.includes(result.name)) continue;
    bars.push(
      verdict(`${result.name}: mixed-load RSS end / warm`, '≤', MIXED_GROWTH_BAR, result.growth),
    );
  }
  if (coldStart !== undefined) {
    bars.push(
      verdict(
        `${coldStart.service} / ${coldStart.reference}: cold start`,
        '≤',
        COLD_START_BAR,
        coldStart.ratio?.median,
      ),
    );
  }
  return bars;
}
