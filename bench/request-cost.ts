import http, { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { Duplex } from 'node:stream';

/**
 * `npm run bench:request-cost`: the CPU time and heap bytes one request costs inside the process,
 * with no socket and no kernel in the way: requests are handed to each server's request listener
 * on a socket that swallows what is written. Three request kinds (allowed POST, preflight,
 * refused POST) on the service, on a bare node:http listener that answers with one writeHead
 * (what Node itself costs: the floor), and on NestJS + enableCors built in-process as in
 * servers/nest-enable-cors. "own" is the service minus the floor: the work issue 20 budgets
 * (≤ ~7 µs and ≤ 2 KB for a preflight or a refusal).
 *
 * Heap bytes are heapUsed deltas over a run with the young generation made large enough that no
 * collection happens in it (the runner re-executes itself with --min/max-semi-space-size; a run in
 * which a GC ran is reported as such). Times are medians of rounds that alternate the targets.
 * Run after `npm run build` and `tsc -p bench/tsconfig.json`.
 */

const REPO_ROOT = resolve(__dirname, '..', '..');
const ROUNDS = 7;
const PER_ROUND = 4000;
const SEMI_SPACE_MB = 1024;
/** Requests per heap measurement: as many as fit in the young generation without a collection. */
const BYTES_RUN: Readonly<Record<string, number>> = {
  'allowed POST': 4000,
  preflight: 10_000,
  'refused POST': 10_000,
};

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface Scenario {
  readonly method: string;
  readonly url: string;
  readonly headers: readonly string[];
  readonly body?: Buffer;
}

const BODY = Buffer.from('{"name":"Alice","lang":"es"}');
const SCENARIOS: Readonly<Record<string, Scenario>> = {
  'allowed POST': {
    method: 'POST',
    url: '/greet',
    headers: [
      'Host',
      'x',
      'Origin',
      'http://localhost:1234',
      'Content-Type',
      'application/json',
      'Content-Length',
      String(BODY.length),
    ],
    body: BODY,
  },
  preflight: {
    method: 'OPTIONS',
    url: '/greet',
    headers: [
      'Host',
      'x',
      'Origin',
      'http://localhost:1234',
      'Access-Control-Request-Method',
      'POST',
      'Access-Control-Request-Headers',
      'content-type',
    ],
  },
  'refused POST': {
    method: 'POST',
    url: '/greet',
    headers: [
      'Host',
      'x',
      'Origin',
      'https://evil.example',
      'Content-Type',
      'application/json',
      'Content-Length',
      String(BODY.length),
    ],
    body: BODY,
  },
};

/** A connected-looking socket that discards what is written to it. */
class NullSocket extends Duplex {
  override _read(): void {}
  override _write(_chunk: unknown, _encoding: string, callback: () => void): void {
    callback();
  }
}

/** One request through `handler`, as Node's server would hand it over; resolves when answered. */
function exchange(handler: Handler, scenario: Scenario): Promise<number> {
  return new Promise((done) => {
    const socket = new NullSocket();
    const req = new http.IncomingMessage(socket as never);
    req.method = scenario.method;
    req.url = scenario.url;
    req.httpVersionMajor = 1;
    req.httpVersionMinor = 1;
    req.httpVersion = '1.1';
    req.rawHeaders = [...scenario.headers];
    const headers: Record<string, string> = {};
    for (let i = 0; i < scenario.headers.length; i += 2) {
      headers[scenario.headers[i].toLowerCase()] = scenario.headers[i + 1];
    }
    req.headers = headers;
    const res = new http.ServerResponse(req);
    res.shouldKeepAlive = true;
    res.assignSocket(socket as never);
    res.once('finish', () => {
      res.detachSocket(socket as never);
      // What Node's server emits when a response is done with its socket.
      res.emit('close');
      done(res.statusCode);
    });
    handler(req, res);
    if (scenario.body !== undefined) req.push(scenario.body);
    req.push(null);
    req.complete = true;
  });
}

async function run(handler: Handler, scenario: Scenario, count: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await exchange(handler, scenario);
  return Number(process.hrtime.bigint() - start) / 1000 / count;
}

/** Heap bytes per request over `count` requests, or undefined when a GC ran meanwhile. */
async function bytesPer(handler: Handler, scenario: Scenario, count: number) {
  const { gc } = globalThis as { gc?: () => void };
  gc?.();
  // The observer reports that collection a turn later: let it, before counting.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const before = process.memoryUsage().heapUsed;
  const gcBefore = gcCount;
  await run(handler, scenario, count);
  const after = process.memoryUsage().heapUsed;
  // The observer reports asynchronously: give it a turn.
  await new Promise((resolve) => setTimeout(resolve, 50));
  return gcCount === gcBefore ? (after - before) / count : undefined;
}

let gcCount = 0;

const median = (values: number[]): number =>
  values.slice().sort((a, b) => a - b)[values.length >> 1];

async function targets(): Promise<Record<string, Handler>> {
  Object.assign(process.env, {
    NODE_ENV: 'production',
    CORS_ALLOWED_ORIGINS: 'http://localhost:1234',
    CORS_ALLOW_CREDENTIALS: 'true',
    CORS_MAX_AGE: '60',
    DOCS_ENABLED: 'false',
  });
  // Loaded at run time from the repository's build: `require`, so tsc does not follow it.
  const load = (path: string) => require(join(REPO_ROOT, path)) as Record<string, unknown>;
  load('node_modules/reflect-metadata');
  const { createApp } = load('dist/app.factory.js') as {
    createApp: (o: object) => Promise<{ init(): Promise<unknown>; getHttpServer(): http.Server }>;
  };
  const service = await createApp({ logger: false });
  await service.init();
  const server = service.getHttpServer();

  const { NestFactory } = load('node_modules/@nestjs/core') as {
    NestFactory: { create(m: unknown, o: object): Promise<NestApp> };
  };
  const { ValidationPipe } = load('node_modules/@nestjs/common') as {
    ValidationPipe: new (o: object) => unknown;
  };
  const { AppModule } = load('bench/dist/servers/nest-enable-cors/app.module.js');
  const nest = await NestFactory.create(AppModule, { logger: false });
  nest.useBodyParser('json', { limit: '1mb' });
  nest.enableCors({ origin: ['http://localhost:1234'], credentials: true, maxAge: 60 });
  nest.useGlobalPipes(new ValidationPipe({ transform: true, whitelist: true }));
  await nest.init();

  const floor = http.createServer((_req, res) => {
    res.writeHead(204, ['Vary', 'Origin']);
    res.end();
  });
  return {
    service: (req, res) => server.emit('request', req, res),
    'node:http floor': (req, res) => floor.emit('request', req, res),
    'nest-enable-cors': nest.getHttpAdapter().getInstance() as Handler,
  };
}

interface NestApp {
  useBodyParser(type: string, options: object): void;
  enableCors(options: object): void;
  useGlobalPipes(pipe: unknown): void;
  init(): Promise<unknown>;
  getHttpAdapter(): { getInstance(): unknown };
}

type Measure = 'time' | 'bytes';
type Results = Record<string, Record<string, number | null>>;

/** One child's measurements: µs per request (time) or heap bytes per request (bytes). */
async function measure(what: Measure): Promise<Results> {
  const { PerformanceObserver } = await import('node:perf_hooks');
  new PerformanceObserver((list) => (gcCount += list.getEntries().length)).observe({
    entryTypes: ['gc'],
  });
  const handlers = await targets();
  const names = Object.keys(handlers);
  const results: Results = {};
  for (const [label, scenario] of Object.entries(SCENARIOS)) {
    results[label] = {};
    for (const name of names) await run(handlers[name], scenario, PER_ROUND);
    if (what === 'bytes') {
      // Optimised code first: compiling allocates too.
      for (const name of names) await run(handlers[name], scenario, 5 * PER_ROUND);
      for (const name of names) {
        results[label][name] = (await bytesPer(handlers[name], scenario, BYTES_RUN[label])) ?? null;
      }
      continue;
    }
    const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    for (let round = 0; round < ROUNDS; round++) {
      const order = names.map((_, i) => names[(i + round) % names.length]);
      for (const name of order) times[name].push(await run(handlers[name], scenario, PER_ROUND));
    }
    for (const name of names) results[label][name] = median(times[name]);
  }
  return results;
}

function report(time: Results, bytes: Results): string {
  const lines = [
    `per request, in-process: µs the median of ${ROUNDS} alternating rounds of ${PER_ROUND}; heap bytes over 4,000–10,000 with no GC`,
    `${'request'.padEnd(14)} ${'target'.padEnd(18)} ${'µs'.padStart(7)} ${'heap B'.padStart(8)}`,
  ];
  const cell = (value: number | null | undefined, digits: number, width: number) =>
    (value === null || value === undefined ? '?' : value.toFixed(digits)).padStart(width);
  for (const label of Object.keys(SCENARIOS)) {
    for (const name of Object.keys(time[label])) {
      lines.push(
        `${label.padEnd(14)} ${name.padEnd(18)} ${cell(time[label][name], 1, 7)} ${cell(bytes[label][name], 0, 8)}`,
      );
    }
    const minus = (r: Results) => {
      const a = r[label].service;
      const b = r[label]['node:http floor'];
      return a === null || b === null ? null : a - b;
    };
    lines.push(
      `${label.padEnd(14)} ${'service own'.padEnd(18)} ${cell(minus(time), 1, 7)} ${cell(minus(bytes), 0, 8)}`,
    );
  }
  return lines.join('\n');
}

/**
 * Each measurement runs in a child of its own, its stdout discarded (the service's access lines
 * go there): times with Node's defaults, heap bytes with the young generation made large enough
 * that no collection runs (which would slow the timed run down).
 */
async function child(what: Measure): Promise<Results> {
  const { fork } = await import('node:child_process');
  const execArgv =
    what === 'bytes'
      ? [
          '--expose-gc',
          `--min-semi-space-size=${SEMI_SPACE_MB}`,
          `--max-semi-space-size=${SEMI_SPACE_MB}`,
        ]
      : [];
  const proc = fork(__filename, [`--child=${what}`], {
    execArgv,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    proc.once('message', (message) => resolve(message as Results));
    proc.once('exit', (code) => reject(new Error(`the ${what} run exited with ${code}`)));
  });
}

const role = process.argv.find((arg) => arg.startsWith('--child='))?.slice('--child='.length);
if (role === 'time' || role === 'bytes') {
  measure(role).then(
    (results) => {
      process.send?.(results);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
} else {
  (async () => {
    const time = await child('time');
    const bytes = await child('bytes');
    process.stdout.write(`${report(time, bytes)}\n`);
  })().catch((error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
