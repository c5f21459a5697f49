import { CheckOutcome } from './prechecks';
import { BarResult, RunReport, TargetResult } from './results-model';
import { SCENARIOS } from './scenarios';
import { RatioSummary } from './stats';
import { Align, formatTable } from './text-table';

const DASH = '–';
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});

const times = (value: number | undefined): string =>
  value === undefined ? DASH : `${value.toFixed(2)}×`;
const mib = (value: number | undefined): string =>
  value === undefined ? DASH : decimal.format(value);
const ms = (value: number | undefined): string =>
  value === undefined ? DASH : decimal.format(value);

function ratioCell(ratio: RatioSummary | undefined): string {
  if (ratio === undefined) return DASH;
  return `${times(ratio.median)} (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)})`;
}

/** Why a target has no figures, shown in place of them. */
function missingReason(target: TargetResult): string {
  if (target.outcome === 'precheck-failed') return 'not loaded: pre-check failed';
  return `failed: ${target.error?.split('\n', 1)[0] ?? 'unknown'}`;
}

function corsSummary(check: CheckOutcome): string {
  if (check.name !== 'disallowed') {
    return 'access-control-allow-origin' in check.corsHeaders ? 'ACAO' : 'no ACAO';
  }
  const names = Object.keys(check.corsHeaders).map((h) => h.replace('access-control-', ''));
  return names.length === 0 ? 'no ACA-*' : `ACA-{${names.join(',')}}`;
}

function checkCell(check: CheckOutcome | undefined): string {
  if (check === undefined) return DASH;
  const status = check.status === undefined ? 'ERR' : String(check.status);
  const text = check.name === 'health' ? status : `${status} ${corsSummary(check)}`;
  return check.passed ? text : `${text} ✗`;
}

function precheckSection(targets: readonly TargetResult[]): string {
  const rows = targets.map((t) => {
    const find = (name: CheckOutcome['name']) => t.precheck?.checks.find((c) => c.name === name);
    const verdict = t.precheck === undefined ? 'not run' : t.precheck.passed ? 'ok' : 'FAILED';
    return [
      t.name,
      checkCell(find('health')),
      checkCell(find('allowed')),
      checkCell(find('preflight')),
      checkCell(find('disallowed')),
      verdict,
    ];
  });
  const problems = targets.flatMap((t) => [
    ...(t.precheck?.checks ?? [])
      .filter((c) => !c.passed)
      .map((c) => `  ${t.name} ${c.name}: ${c.problems.join('; ')}`),
    ...(t.error !== undefined ? [`  ${t.name}: ${t.error}`] : []),
  ]);
  return [
    'Pre-checks (status; ACAO = Access-Control-Allow-Origin granted; ACA-* = CORS headers sent)',
    formatTable(
      ['target', 'health', '(a) allowed', '(b) preflight', '(c) disallowed', 'verdict'],
      rows,
      Array<Align>(6).fill('left'),
    ),
    ...(problems.length > 0 ? ['Problems:', ...problems] : []),
  ].join('\n');
}

function scenarioSection(report: RunReport): string[] {
  return SCENARIOS.map((scenario) => {
    const rows = report.targets.map((t) => {
      const figures = t.scenarios[scenario.id];
      if (figures === undefined || figures.samples.length === 0) return [t.name, missingReason(t)];
      return [
        t.name,
        integer.format(figures.medianRps ?? 0),
        ratioCell(figures.ratio),
        ms(figures.medianP99Ms),
        integer.format(figures.non2xx),
        integer.format(figures.socketErrors),
        `${figures.samples.length}`,
      ];
    });
    return [
      scenario.label,
      formatTable(
        [
          'target',
          'median req/s',
          'ratio median (min–max)',
          'p99 ms',
          'non-2xx',
          'socket errors',
          'rounds',
        ],
        rows,
        ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
      ),
      ...(scenario.id === 'disallowed'
        ? ["(the service's non-2xx here are its 403 refusals, as intended)"]
        : []),
    ].join('\n');
  });
}

function memorySection(report: RunReport): string {
  const reference = report.targets.find((t) => t.name === report.reference);
  const rows = report.targets.map((t) => [
    t.name,
    mib(t.peakRssMb),
    times(t.peakRssRatio),
    ...(['allowed', 'preflight', 'disallowed'] as const).map((id) =>
      times(t.scenarios[id]?.ratio?.median),
    ),
  ]);
  return [
    `Peak RSS (VmHWM over the whole run) and the median req/s ratios to ${reference?.name ?? report.reference}`,
    formatTable(
      ['target', 'peak RSS MiB', 'RSS ×ref', 'POST ×ref', 'preflight ×ref', 'refused ×ref'],
      rows,
      ['left', 'right', 'right', 'right', 'right', 'right'],
    ),
  ].join('\n');
}

function mixedSection(report: RunReport): string | undefined {
  const mixed = report.mixed;
  if (mixed === undefined) return undefined;
  const settle = mixed.settleSeconds !== undefined;
  const rows = mixed.results.map((m) =>
    m.error !== undefined
      ? [m.name, `failed: ${m.error.split('\n', 1)[0]}`]
      : [
          m.name,
          mib(m.warmRssMb),
          mib(m.endRssMb),
          times(m.growth),
          ...(settle ? [mib(m.settleRssMb)] : []),
          integer.format(m.requests),
          integer.format(m.non2xx),
          integer.format(m.socketErrors),
        ],
  );
  return [
    `Mixed load, ${mixed.seconds} s (allowed, preflight, refused, bad JSON in turn): VmRSS MiB`,
    formatTable(
      [
        'target',
        'after warm-up',
        `at ${mixed.seconds} s`,
        'end / warm',
        ...(settle ? [`at ${mixed.settleSeconds} s`] : []),
        'requests',
        'non-2xx',
        'socket errors',
      ],
      rows,
      ['left', ...Array<Align>(settle ? 7 : 6).fill('right')],
    ),
  ].join('\n');
}

function coldSection(report: RunReport): string | undefined {
  const cold = report.coldStart;
  if (cold === undefined) return undefined;
  const list = (values: number[]) => values.map((v) => integer.format(v)).join(' ');
  return [
    `Cold start, spawn to first 200, ${cold.serviceMs.length} pairs (order alternating)`,
    formatTable(
      ['target', 'median ms', 'each ms'],
      [
        [cold.service, ms(cold.serviceMedianMs), list(cold.serviceMs)],
        [cold.reference, ms(cold.referenceMedianMs), list(cold.referenceMs)],
      ],
      ['left', 'right', 'left'],
    ),
    `ratio per pair: ${ratioCell(cold.ratio)}`,
    ...(cold.error !== undefined ? [`failed: ${cold.error}`] : []),
  ].join('\n');
}

function barsSection(bars: readonly BarResult[]): string {
  // Three decimals: a value that rounds to the bar must not read as meeting it when it does not.
  const rows = bars.map((bar) => [
    bar.label,
    bar.value === undefined ? DASH : `${bar.value.toFixed(3)}×`,
    `${bar.comparison} ${bar.threshold.toFixed(2)}×`,
    bar.met === undefined ? 'no figure' : bar.met ? 'met' : 'NOT MET',
  ]);
  const met = bars.filter((b) => b.met === true).length;
  const missing = bars.filter((b) => b.met === undefined).length;
  return [
    "Issue 20's targets (medians)",
    formatTable(['figure', 'value', 'bar', 'verdict'], rows, ['left', 'right', 'left', 'left']),
    `${met} of ${bars.length} met${missing > 0 ? `, ${missing} without a figure` : ''}`,
  ].join('\n');
}

export function formatReport(report: RunReport): string {
  const { options } = report;
  const header = [
    `Node ${report.node} on ${report.cpu}; ${report.pinning.note}`,
    `wrk -t${options.threads} -c${options.connections}; warm-up ${options.warmupSec} s, ` +
      `${options.rounds} rounds of ${options.secs} s per scenario per target, order rotating; ` +
      `ratios per round to ${report.reference}`,
  ].join('\n');
  const sections = [
    header,
    precheckSection(report.targets),
    ...scenarioSection(report),
    memorySection(report),
    mixedSection(report),
    coldSection(report),
    barsSection(report.bars),
  ];
  return sections.filter((s): s is string => s !== undefined).join('\n\n');
}
