import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

/** The built service; `npm test` builds it first. */
export const MAIN_JS = path.resolve(__dirname, '../../dist/main.js');

interface Spawned {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** The exit code, or the signal's name when it was killed. */
  readonly exited: Promise<number | string>;
}

/** `node dist/main.js` with exactly `env` plus PATH; HOST defaults to loopback. */
function spawnMain(env: Record<string, string>, cwd = path.dirname(MAIN_JS)): Spawned {
  const child = spawn(process.execPath, [MAIN_JS], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      // The platform the suite runs on (jest's e2e-fastify project sets it).
      ...(process.env.HTTP_PLATFORM ? { HTTP_PLATFORM: process.env.HTTP_PLATFORM } : {}),
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

export interface StartupResult {
  code: number | string;
  stdout: string;
  stderr: string;
}

/**
 * Runs the service and waits for it to exit: for configurations that must be refused. One that
 * starts listening instead is killed after `timeoutMs`.
 */
export async function runService(
  env: Record<string, string>,
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<StartupResult> {
  const run = spawnMain(await withMetricsPort(env), options.cwd);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), options.timeoutMs ?? 10_000);
  const code = await run.exited;
  clearTimeout(timer);
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

export interface ServiceProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  /** Where /metrics would be served (METRICS_HOST defaults to the loopback HOST here). */
  readonly metricsUrl: string;
  /** stdout and stderr so far. */
  stdout(): string;
  readonly exited: Promise<number | string>;
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
  kill(): void;
}

/**
 * Starts the service on a free loopback port (PORT and HOST override `env`) and waits until
 * /health/live answers — log lines cannot be relied on, LOG_LEVEL may hide them.
 */
export async function startService(
  env: Record<string, string>,
  options: { cwd?: string } = {},
): Promise<ServiceProcess> {
  const port = await freePort();
  const withPorts = await withMetricsPort(env);
  const run = spawnMain({ ...withPorts, HOST: '127.0.0.1', PORT: String(port) }, options.cwd);
  const output = () => run.stdout() + run.stderr();
  const service: ServiceProcess = {
    child: run.child,
    url: `http://127.0.0.1:${port}`,
    metricsUrl: `http://${withPorts.METRICS_HOST ?? '127.0.0.1'}:${withPorts.METRICS_PORT}/metrics`,
    stdout: output,
    exited: run.exited,
    waitForOutput: (text, timeoutMs = 10_000) =>
      poll(() => output().includes(text), timeoutMs, run, `no "${text}" in output`),
    kill: () => {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    },
  };
  let live = false;
  const probe = () => {
    void fetch(`${service.url}/health/live`).then(
      (res) => (live = res.ok),
      () => undefined,
    );
    return live;
  };
  try {
    await poll(probe, 15_000, run, 'service did not become live');
  } catch (error) {
    service.kill();
    throw error;
  }
  return service;
}

/** Resolves when `done()` holds; rejects on timeout or when the process exits first. */
function poll(
  done: () => boolean,
  timeoutMs: number,
  run: Spawned,
  failure: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const timer = setInterval(() => {
      if (done()) {
        clearInterval(timer);
        resolve();
      } else if (Date.now() > deadline || run.child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`${failure}:\n${run.stdout()}${run.stderr()}`));
      }
    }, 25);
  });
}

/**
 * The metrics listener's default port (9464) is one per machine: services spawned side by side
 * each get a free one unless the test chose it.
 */
async function withMetricsPort(env: Record<string, string>): Promise<Record<string, string>> {
  if (env.METRICS_PORT !== undefined) return env;
  return { ...env, METRICS_PORT: String(await freePort()) };
}

/** Ports this process has handed out: the kernel may offer a just-closed port again. */
const handedOut = new Set<number>();

/**
 * A TCP port that was free a moment ago on 127.0.0.1, and not one handed out before in this test
 * process: two calls in a row (a service's PORT and METRICS_PORT) once got the same port, and the
 * service rightly refused to start.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port: given } = server.address() as net.AddressInfo;
        server.close(() => resolve(given));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

export interface JsonLogLine {
  /** The level as a word: `info`, `warn`, … */
  level: string;
  msg: string;
  [key: string]: unknown;
}

/** The JSON log lines (production format) of a process's output; other lines are skipped. */
export function jsonLogLines(output: string): JsonLogLine[] {
  return output.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as JsonLogLine];
    } catch {
      return [];
    }
  });
}
