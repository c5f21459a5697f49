import { join, resolve } from 'node:path';

/**
 * `npm run bench:access-line`: µs per access line (issue 20's budget: ≤ 2 µs), for the line of an
 * allowed POST, a preflight and a CORS refusal, written through the service's own logger set-up
 * (the LineBatch in front of a synchronous sonic-boom) into /dev/null, as `ACCESS_LOG=all` does
 * on every request. Prints the median of 7 runs of 200,000 lines each, after a warm-up.
 */

const REPO_ROOT = resolve(__dirname, '..', '..');
const load = (path: string) => require(join(REPO_ROOT, path)) as Record<string, unknown>;

type Line = [req: object, res: object, exchange: object];

function main(): void {
  load('node_modules/reflect-metadata');
  const pino = load('node_modules/pino') as unknown as {
    (options: object, stream: object): object;
    destination(options: object): object;
  };
  const { AccessLog } = load('dist/logging/access-log.js') as {
    AccessLog: new (logger: object, config: object) => { write(...line: Line): void };
  };
  const { rootLoggerOptions, withJsonDestination, LineBatch } = load(
    'dist/logging/root-logger.js',
  ) as {
    rootLoggerOptions(config: object): object;
    withJsonDestination(logger: object, destination: object): object;
    LineBatch: new (out: object, limit: number) => object;
  };
  const { Exchange } = load('dist/common/http/exchange.js') as {
    Exchange: new (id: string, path: string, close: boolean) => { bytes?: number };
  };
  const { recordDecision } = load('dist/cors/cors-http.js') as {
    recordDecision(req: object, decision: object): void;
  };
  const { recordErrorReason } = load('dist/common/error-envelope.js') as {
    recordErrorReason(res: object, reason: string): void;
  };

  const batch = new LineBatch(pino.destination({ dest: '/dev/null', sync: true }), 4096);
  const logger = withJsonDestination(pino(rootLoggerOptions({ logLevel: 'info' }), batch), batch);
  const log = new AccessLog(logger, { accessLog: 'all' });
  const userAgent =
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';

  const line = (kind: 'post' | 'preflight' | 'refusal'): Line => {
    const origin = kind === 'refusal' ? 'https://evil.example' : 'http://localhost:1234';
    const req = {
      method: kind === 'preflight' ? 'OPTIONS' : 'POST',
      headers: { origin, 'user-agent': userAgent },
    };
    const status = { post: 200, preflight: 204, refusal: 403 }[kind];
    const res = {
      statusCode: status,
      writableFinished: true,
      getHeader: () => (kind === 'post' ? 63 : undefined),
    };
    const exchange = new Exchange('6b9652b8-d547-41df-904f-021e55793e00', '/greet', false);
    if (kind === 'preflight') exchange.bytes = 0;
    if (kind === 'refusal') {
      exchange.bytes = 47;
      const reason = `origin "${origin}" not allowed`;
      recordDecision(req, { kind: 'refused', code: 'origin_not_allowed', reason, headers: [] });
      recordErrorReason(res, 'Origin not allowed');
    }
    return [req, res, exchange];
  };

  const N = 200_000;
  process.stdout.write(
    `µs per access line (median of 7 × ${N.toLocaleString('en')}; budget 2 µs)\n`,
  );
  for (const kind of ['post', 'preflight', 'refusal'] as const) {
    const args = line(kind);
    for (let i = 0; i < N; i++) log.write(...args);
    const runs: number[] = [];
    for (let run = 0; run < 7; run++) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < N; i++) log.write(...args);
      runs.push(Number(process.hrtime.bigint() - start) / 1000 / N);
    }
    runs.sort((a, b) => a - b);
    process.stdout.write(
      `${kind.padEnd(10)} ${runs[3].toFixed(2)} µs (${runs[0].toFixed(2)}–${runs[6].toFixed(2)})\n`,
    );
  }
}

main();
