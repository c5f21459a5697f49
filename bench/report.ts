import { Bar, SERVICE_BARS, barMet } from './ratios';
import { CheckOutcome } from './prechecks';
import { Ratios, RunReport, TargetResult } from './results-model';
import { SCENARIOS, ScenarioId } from './scenarios';
import { Align, formatTable } from './text-table';

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
  const bars = SERVICE_BARS.filter((bar) => keys.includes(bar.ratio));
  return bars.map((bar) => `${bar.short} ${barText(bar)}`).join(', ');
}

/** Why a target has no figures, shown in place of them. */
function missingReason(target: TargetResult): string {
  if (target.outcome === 'precheck-failed') return 'not loaded: pre-check failed';
  return `not loaded: ${target.error?.split('\n', 1)[0] ?? 'failed'}`;
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
    'Pre-checks (status; ACAO = Access-Control-Allow-Origin granted; ACA-* = CORS headers sent)',
    formatTable(
      ['target', 'health', '(a) allowed', '(b) preflight', '(c) disallowed', 'verdict'],
      rows,
      Array<Align>(6).fill('left'),
    ),
    ...(problems.length > 0 ? ['Problems:', ...problems] : []),
  ].join('\n');
}

const RPS_RATIO: Record<ScenarioId, keyof Ratios> = {
  allowed: 'allowedRps',
  preflight: 'preflightRps',
  disallowed: 'disallowedRps',
};

interface Column {
  header: string;
  align: Align;
  cell: (target: ReportedTarget, id: ScenarioId) => string;
}

function scenarioColumns(id: ScenarioId): Column[] {
  const result = (t: ReportedTarget) => t.scenarios[id];
  const columns: (Column | undefined)[] = [
    {
      header: 'req/s',
      align: 'right',
      cell: (t) => integer.format(result(t)?.requestsPerSec ?? 0),
    },
    { header: '×ref', align: 'right', cell: (t) => times(t.ratios[RPS_RATIO[id]]) },
    { header: 'p50 ms', align: 'right', cell: (t) => decimal.format(result(t)?.latencyP50Ms ?? 0) },
    { header: 'p99 ms', align: 'right', cell: (t) => decimal.format(result(t)?.latencyP99Ms ?? 0) },
    id === 'allowed'
      ? { header: 'p99 ×ref', align: 'right', cell: (t) => times(t.ratios.allowedP99) }
      : undefined,
    { header: 'non-2xx', align: 'right', cell: (t) => integer.format(result(t)?.non2xx ?? 0) },
    { header: 'errors', align: 'right', cell: (t) => integer.format(result(t)?.errors ?? 0) },
    {
      header: 'srv CPU',
      align: 'right',
      cell: (t) => {
        const cpu = result(t)?.serverCpuPercent;
        return cpu === undefined ? DASH : `${integer.format(cpu)}%`;
      },
    },
    {
      header: 'other CPU',
      align: 'right',
      cell: (t) => {
        const cpu = result(t)?.otherCpuPercent;
        return cpu === undefined ? DASH : `${integer.format(cpu)}%`;
      },
    },
    {
      header: 'statuses',
      align: 'left',
      cell: (t) => {
        const counts = Object.entries(result(t)?.statusCounts ?? {});
        return counts.length === 1
          ? counts[0][0]
          : counts.map(([status, count]) => `${status}×${count}`).join(' ');
      },
    },
  ];
  return columns.filter((column) => column !== undefined);
}

function scenarioSection(targets: ReportedTarget[], id: ScenarioId): string {
  const label = SCENARIOS.find((s) => s.id === id)?.label ?? id;
  const columns = scenarioColumns(id);
  const rows = targets.map((t) =>
    t.scenarios[id] === undefined
      ? [t.name, missingReason(t)]
      : [t.name, ...columns.map((column) => column.cell(t, id))],
  );
  const bars = id === 'allowed' ? barsFor('allowedRps', 'allowedP99') : barsFor(RPS_RATIO[id]);
  return [
    `${label} — service bar: ${bars}`,
    formatTable(['target', ...columns.map((c) => c.header)], rows, [
      'left',
      ...columns.map((c) => c.align),
    ]),
  ].join('\n');
}

function underAttackSection(targets: ReportedTarget[]): string {
  const measured = targets.filter((t) => t.underAttack !== undefined);
  if (measured.length === 0) return '(d) under attack: no target measured';
  const bodies = measured[0].underAttack?.alone ?? [];
  const aloneRows = measured.map((t) => [
    t.name,
    ...(t.underAttack?.alone ?? []).map(
      (a) => `${a.status ?? 'ERR'} ${decimal.format(a.meanMs)}/${decimal.format(a.maxMs)}`,
    ),
  ]);
  const attackRows = measured.map((t) => {
    const { legit, hostile } = t.underAttack as NonNullable<ReportedTarget['underAttack']>;
    return [
      t.name,
      integer.format(legit.requests),
      decimal.format(legit.p50Ms),
      decimal.format(legit.p99Ms),
      decimal.format(legit.maxMs),
      integer.format(legit.non2xx),
      integer.format(hostile.requests),
      decimal.format(hostile.meanMs),
      Object.entries(hostile.statusCounts)
        .map(([status, count]) => `${status}×${count}`)
        .join(' '),
    ];
  });
  return [
    '(d) hostile bodies, each alone on an idle server: status, mean/max ms of 10 from last byte sent to answer',
    formatTable(
      ['target', ...bodies.map((b) => `${b.id} (${integer.format(b.bytes / 1000)} KB)`)],
      aloneRows,
      ['left', ...bodies.map((): Align => 'right')],
    ),
    '',
    '(d) one greeting client while 3 clients loop those bodies — service bar: legit p99 ≤ 100 ms',
    formatTable(
      [
        'target',
        'greetings',
        'p50 ms',
        'p99 ms',
        'max ms',
        'non-2xx',
        'hostile reqs',
        'hostile mean ms',
        'hostile statuses',
      ],
      attackRows,
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
      ['target', 'peak RSS MiB', '×ref', 'cold start ms', '×ref', `each of ${coldStarts} (ms)`],
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
    const reading = met === undefined ? 'no figure' : met ? 'met' : 'not met';
    return [bar.label, times(value), barText(bar), reading];
  });
  return [
    'Service against its bars (ratios to the reference; informational, not asserted)',
    formatTable(['figure', 'service', 'bar', 'reading'], rows, ['left', 'right', 'right', 'left']),
  ].join('\n');
}

/** The bar: allowed-POST throughput with metrics on stays at least 95% of metrics off. */
const METRICS_COST_BAR = 0.95;

function metricsCostSection(targets: ReportedTarget[]): string[] {
  const on = targets.find((t) => t.name === 'service');
  const off = targets.find((t) => t.name === 'service-no-metrics');
  if (on === undefined || off === undefined) return [];
  const rows = SCENARIOS.map((scenario) => {
    const withMetrics = on.scenarios[scenario.id]?.requestsPerSec;
    const without = off.scenarios[scenario.id]?.requestsPerSec;
    const ratio =
      withMetrics === undefined || without === undefined || without === 0
        ? undefined
        : withMetrics / without;
    return [
      scenario.id,
      withMetrics === undefined ? DASH : integer.format(withMetrics),
      without === undefined ? DASH : integer.format(without),
      times(ratio),
      scenario.id !== 'allowed'
        ? ''
        : ratio === undefined
          ? 'no figure'
          : ratio >= METRICS_COST_BAR
            ? `met (bar ${METRICS_COST_BAR}×)`
            : `not met (bar ${METRICS_COST_BAR}×)`,
    ];
  });
  return [
    '',
    'Metrics cost (req/s with METRICS_ENABLED=true vs false; informational, not asserted)',
    formatTable(['scenario', 'metrics on', 'metrics off', 'on/off', 'reading'], rows, [
      'left',
      'right',
      'right',
      'right',
      'left',
    ]),
  ];
}

/** Above this, other processes competed for the CPUs enough to move the figures. */
const BUSY_MACHINE_PERCENT = 10;

function noiseWarning(targets: ReportedTarget[]): string[] {
  const others = targets.flatMap((t) =>
    Object.values(t.scenarios).map((result) => result.otherCpuPercent ?? 0),
  );
  const busy = others.filter((percent) => percent > BUSY_MACHINE_PERCENT);
  if (busy.length === 0) return [];
  return [
    '',
    `WARNING: other processes used up to ${integer.format(Math.max(...busy))}% of a core during ` +
      `${busy.length} of ${others.length} measurements; those figures are noisy, rerun on an idle machine.`,
  ];
}

export function formatReport(report: RunReport): string {
  const { options, pinning } = report;
  const service = report.targets.find((t) => t.name === 'service');
  const hasReference = report.targets.some((t) => t.name === report.reference);
  return [
    `${options.connections} connections, ${options.durationSec} s per scenario after ` +
      `${options.warmupSec} s warm-up; ${pinning.note}`,
    `node ${report.node} on ${report.cpu}; service build: ${report.build}; ` +
      `×ref = ratio to ${report.reference} in this run` +
      (hasReference ? '' : ' (not in --targets, so no ratios)'),
    'srv CPU = server CPU in % of one core (well under 100%: the load generator set the pace);',
    'other CPU = CPU used by other processes meanwhile (above ~10%: the machine was busy, rerun)',
    '',
    precheckSection(report.targets),
    '',
    ...SCENARIOS.flatMap((s) => [scenarioSection(report.targets, s.id), '']),
    underAttackSection(report.targets),
    '',
    resourceSection(report.targets, options.coldStarts),
    '',
    barSection(service),
    ...metricsCostSection(report.targets),
    ...noiseWarning(report.targets),
  ].join('\n');
}
