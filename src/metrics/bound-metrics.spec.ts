import { Counter, Histogram, Registry } from 'prom-client';
import { BoundCounter, BoundHistogram } from './bound-metrics';

const BUCKETS = [0.001, 0.01, 0.1, 1];
type Labels = Record<string, string | number>;

/** Observations as the service records them: different label sets, edges of the buckets. */
const OBSERVATIONS: ReadonlyArray<readonly [Labels, number]> = [
  [{ method: 'POST', route: '/greet', status: 200 }, 0.0005],
  [{ method: 'POST', route: '/greet', status: 200 }, 0.001],
  [{ method: 'POST', route: '/greet', status: 200 }, 0.0011],
  [{ method: 'OPTIONS', route: '/greet', status: 204 }, 0.05],
  [{ method: 'POST', route: 'unmatched', status: 500, error_type: '500' }, 2],
  [{ method: 'GET', route: 'a"b\\c\nd', error_type: 'aborted' }, 0.3],
  [{ method: 'POST', route: '/greet', status: 200 }, 1],
];

describe('BoundHistogram and BoundCounter', () => {
  it('serialise exactly as prom-client does for the same observations', async () => {
    const plain = new Registry();
    const bound = new Registry();
    const histogram = new Histogram({
      name: 'duration_seconds',
      help: 'A duration.',
      labelNames: ['method', 'route', 'status', 'error_type'],
      buckets: BUCKETS,
      registers: [plain],
    });
    const counter = new Counter({
      name: 'decisions_total',
      help: 'Decisions.',
      labelNames: ['method', 'route', 'status', 'error_type'],
      registers: [plain],
    });
    const fastHistogram = new BoundHistogram('duration_seconds', 'A duration.', BUCKETS, [bound]);
    const fastCounter = new BoundCounter('decisions_total', 'Decisions.', [bound]);
    // A series bound but never recorded shows in neither.
    fastHistogram.series({ method: 'PUT', route: '/x', status: 405 });
    fastCounter.series({ method: 'PUT', route: '/x', status: 405 });
    for (const [labels, value] of OBSERVATIONS) {
      histogram.observe(labels, value);
      counter.inc(labels);
      fastHistogram.series(labels).observe(value);
      fastCounter.series(labels).inc();
    }
    // The text Prometheus scrapes; the service serves nothing else.
    expect(await bound.metrics()).toBe(await plain.metrics());
  });

  it('a series object is bound once per label set and reused', () => {
    const metric = new BoundHistogram('d', 'd', BUCKETS, []);
    const a = metric.series({ method: 'POST', route: '/greet' });
    expect(metric.series({ method: 'POST', route: '/greet' })).toBe(a);
    expect(metric.series({ method: 'GET', route: '/greet' })).not.toBe(a);
  });
});
