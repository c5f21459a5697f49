import { Bar, SERVICE_BARS, barMet } from './ratios';
import { CheckOutcome } from './prechecks';
import { Ratios, RunReport, TargetResult } from './results-model';
import { SCENARIOS, ScenarioId } from './scenarios';
import { formatTable } from './text-table';

type ReportedTarget = RunReport['targets'][number];

const DASH = '–';
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

function times(value: number | undefined): string {
  return value === undefined ? DASH : `${value.toFixed(2)}×`;
}

function barText(bar: Bar): string {
  return `${bar.comparison}${bar.threshold.toFixed(2)}×`;
}

function barsFor(...keys: (keyof Ratios)[]): string {
  return SERVICE_BARS.filter((bar) => keys.includes(bar.ratio))
    .map((bar) => `${bar.label.replace(/^\([abc]\) /, '')} ${barText(bar)}`)
    .join(', ');
}

/** Why a target has no figures, shown in place of them. */
function missingReason(target: TargetResult): string {
  if (target.outcome === 'precheck-failed') return 'not loaded: pre-check failed';
  return `not loaded: ${target.error?.split('\n', 1)[0] ?? 'failed'}`;
}

function checkCell(check: CheckOutcome | undefined): string {
  if (check === undefined) return DASH;
  const status = check.status === undefined ? 'ERR' : String(check.status);
  if (check.name === 'health') return check.passed ? status : `${status} ✗`;
  const headers = Object.keys(check.corsHeaders).map((h) => h.replace('access-control-', ''));
  const cors =
    check.name === 'disallowed'
      ? headers.length === 0
        ? 'no ACA-*'
        : `ACA-{${headers.join(',')}}`
      : 'access-control-allow-origin' in check.corsHeaders
        ? 'ACAO'
        : 'no ACAO';
  return `${status} ${cors}${check.passed ? '' : ' ✗'}`;
}

function precheckSection(targets: ReportedTarget[]): string {
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
    'Pre-checks (status; ACAO = Access-Control-Allow-Origin granted; ACA-* = CORS headers present)',
    formatTable(
      ['target', 'health', '(a) allowed', '(b) preflight', '(c) disallowed', 'verdict'],
      rows,
      ['left', 'left', 'left', 'left', 'left', 'left'],
    ),
    ...(problems.length > 0 ? ['Problems:', ...problems] : []),
  ].join('\n');
}

const RPS_RATIO: Record<ScenarioId, keyof Ratios> = {
  allowed: 'allowedRps',
  preflight: 'preflightRps',
  disallowed: 'disallowedRps',
};

function scenarioSection(targets: ReportedTarget[], id: ScenarioId): string {
  const scenario = SCENARIOS.find((s) => s.id === id);
  const rows = targets.map((t) => {
    const result = t.scenarios[id];
    if (result === undefined) return [t.name, missingReason(t)];
    const statuses = Object.entries(result.statusCounts)
      .map(([status, count]) => (Object.keys(result.statusCounts).length > 1 ? `${status}×${count}` : status))
      .join(' ');
    return [
      t.name,
      integer.format(result.requestsPerSec),
      times(t.ratios[RPS_RATIO[id]]),
      decimal.format(result.latencyP50Ms),
      decimal.format(result.latencyP99Ms),
      id === 'allowed' ? times(t.ratios.allowedP99) : '',
      integer.format(result.non2xx),
      integer.format(result.errors),
      statuses,
    ];
  });
  const bars = id === 'allowed' ? barsFor('allowedRps', 'allowedP99') : barsFor(RPS_RATIO[id]);
  return [
    `${scenario?.label ?? id} — service bar: ${bars}`,
    formatTable(
      ['target', 'req/s', '×ref', 'p50 ms', 'p99 ms', id === 'allowed' ? 'p99 ×ref' : '', 'non-2xx', 'errors', 'statuses'],
      rows,
      ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
    ),
  ].join('\n');
}

function resourceSection(targets: ReportedTarget[], coldStarts: number): string {
  const rows = targets.map((t) => [
    t.name,
    t.peakRssMb === undefined ? DASH : decimal.format(t.peakRssMb),
    times(t.ratios.peakRss),
    t.coldStart === undefined ? DASH : integer.format(t.coldStart.medianMs),
    times(t.ratios.coldStart),
    t.coldStart?.samplesMs.map((ms) => integer.format(ms)).join(' ') ??
      t.coldStartError?.split('\n', 1)[0] ??
      DASH,
  ]);
  return [
    `Memory and start-up — service bar: ${barsFor('peakRss', 'coldStart')}`,
    formatTable(
      ['target', 'peak RSS MiB', '×ref', 'cold start ms', '×ref', `each of ${coldStarts} starts (ms)`],
      rows,
      ['left', 'right', 'right', 'right', 'right', 'left'],
    ),
  ].join('\n');
}

function barSection(service: ReportedTarget | undefined): string {
  if (service === undefined) return 'Service against its bars: service not in --targets';
  const rows = SERVICE_BARS.map((bar) => {
    const value = service.ratios[bar.ratio];
    const met = barMet(bar, value);
    return [bar.label, times(value), barText(bar), met === undefined ? 'no figure' : met ? 'met' : 'NOT met'];
  });
  return [
    'Service against its bars (×ref; informational, not asserted)',
    formatTable(['figure', 'service', 'bar', ''], rows, ['left', 'right', 'right', 'left']),
  ].join('\n');
}

export function formatReport(report: RunReport): string {
  const { options, pinning } = report;
  const service = report.targets.find((t) => t.name === 'service');
  const hasReference = report.targets.some((t) => t.name === report.reference);
  return [
    `${options.connections} connections, ${options.durationSec} s per scenario after ${options.warmupSec} s warm-up; ${pinning.note}`,
    `node ${report.node} on ${report.cpu}; service build: ${report.build}; ×ref = ratio to ${report.reference} in this run` +
      (hasReference ? '' : ` (not in --targets, so no ratios)`),
    '',
    precheckSection(report.targets),
    '',
    ...SCENARIOS.flatMap((s) => [scenarioSection(report.targets, s.id), '']),
    resourceSection(report.targets, options.coldStarts),
    '',
    barSection(service),
  ].join('\n');
}
