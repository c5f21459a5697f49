import type { Registry } from 'prom-client';

/** Label values of one series, in the metric's label order. */
export type SeriesLabels = Readonly<Record<string, string | number>>;

interface MetricValue {
  readonly labels: Record<string, string | number>;
  readonly sharedLabels: SeriesLabels;
  readonly value: number;
  readonly metricName: string;
}

interface MetricData {
  readonly name: string;
  readonly help: string;
  readonly type: 'histogram' | 'counter';
  readonly values: MetricValue[];
  readonly aggregator: 'sum';
}

/**
 * prom-client's labelled metrics validate and hash the label object on every observe() and inc(),
 * children from `labels()` included (~3 µs a request in the profile). These keep one series object
 * per label set, bound once: recording is an array index and two additions. They register in a
 * prom-client Registry like its own metrics (the registry only asks for `get()`) and serialise
 * exactly as prom-client's Histogram and Counter do (bound-metrics.spec compares the text).
 */
abstract class BoundMetric<S> {
  private readonly byKey = new Map<string, { readonly labels: SeriesLabels; readonly data: S }>();

  constructor(
    readonly name: string,
    readonly help: string,
    registers: readonly Registry[],
  ) {
    for (const registry of registers) registry.registerMetric(this as never);
  }

  /**
   * The series of one label set, created on its first use; callers keep it, so this runs once
   * per label set, not per request. A series shows in the output once it has been recorded.
   */
  protected bind(labels: SeriesLabels, create: () => S): S {
    const key = JSON.stringify(labels);
    let found = this.byKey.get(key);
    if (found === undefined) {
      found = { labels: { ...labels }, data: create() };
      this.byKey.set(key, found);
    }
    return found.data;
  }

  protected entries(): IterableIterator<{ readonly labels: SeriesLabels; readonly data: S }> {
    return this.byKey.values();
  }

  /** What the registry serialises: prom-client's getForPromString() shape. */
  abstract getForPromString(): MetricData;

  /** The JSON form (getMetricsAsJSON): labels in one object, as prom-client gives them. */
  get(): MetricData {
    const data = this.getForPromString();
    return { ...data, values: data.values.map(splay) };
  }

  /** Registry.resetMetrics(). */
  reset(): void {
    this.byKey.clear();
  }
}

export class HistogramSeries {
  /** Observations per bucket (not cumulative); the last slot is above every bound. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    this.counts[i]++;
    this.sum += value;
    this.count++;
  }
}

export class BoundHistogram extends BoundMetric<HistogramSeries> {
  readonly type = 'histogram';

  constructor(
    name: string,
    help: string,
    private readonly bounds: readonly number[],
    registers: readonly Registry[],
  ) {
    super(name, help, registers);
  }

  series(labels: SeriesLabels): HistogramSeries {
    return this.bind(labels, () => new HistogramSeries(this.bounds));
  }

  /** What the registry serialises: prom-client's Histogram.getForPromString() shape. */
  getForPromString(): MetricData {
    const values: MetricValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const { labels, data } of this.entries()) {
      if (data.count === 0) continue;
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += data.counts[i];
        values.push({
          labels: { le },
          sharedLabels: labels,
          value: cumulative,
          metricName: bucket,
        });
      });
      values.push(
        { labels: { le: '+Inf' }, sharedLabels: labels, value: data.count, metricName: bucket },
        { labels: {}, sharedLabels: labels, value: data.sum, metricName: `${this.name}_sum` },
        { labels: {}, sharedLabels: labels, value: data.count, metricName: `${this.name}_count` },
      );
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' };
  }
}

export class CounterSeries {
  value = 0;

  inc(): void {
    this.value++;
  }
}

export class BoundCounter extends BoundMetric<CounterSeries> {
  readonly type = 'counter';

  series(labels: SeriesLabels): CounterSeries {
    return this.bind(labels, () => new CounterSeries());
  }

  getForPromString(): MetricData {
    const values: MetricValue[] = [];
    for (const { labels, data } of this.entries()) {
      if (data.value === 0) continue;
      values.push({
        labels: { ...labels },
        sharedLabels: {},
        value: data.value,
        metricName: this.name,
      });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' };
  }
}

function splay({ labels, sharedLabels, value, metricName }: MetricValue): MetricValue {
  return { labels: { ...labels, ...sharedLabels }, sharedLabels: {}, value, metricName };
}
