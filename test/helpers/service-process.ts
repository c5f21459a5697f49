import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import path from 'node:path';
import { freePort, MAIN_JS } from './spawn-service';

export interface ServiceProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  stdout(): string;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  readonly exited: Promise<number | string>;
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
  kill(): void;
}

/** Starts `node dist/main.js` on a free port with `env` and waits until it listens. */
export async function startService(env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN_JS], {
    cwd: path.dirname(MAIN_JS),
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), ...env },
  });
  let out = '';
  child.stdout.on('data', (data: Buffer) => (out += data.toString()));
  child.stderr.on('data', (data: Buffer) => (out += data.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const service: ServiceProcess = {
    child,
    url: `http://127.0.0.1:${port}`,
    stdout: () => out,
    exited,
    waitForOutput: (text, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        const poll = setInterval(() => {
          if (out.includes(text)) {
            clearInterval(poll);
            resolve();
          } else if (Date.now() - started > timeoutMs || child.exitCode !== null) {
            clearInterval(poll);
            reject(new Error(`no "${text}" in output:\n${out}`));
          }
        }, 20);
      }),
    kill: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
  try {
    await waitUntilLive(service);
  } catch (error) {
    service.kill();
    throw error;
  }
  return service;
}

/** Polls /health/live: log lines cannot be relied on (LOG_LEVEL may hide them). */
async function waitUntilLive(service: ServiceProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) break;
    const live = await fetch(`${service.url}/health/live`).then(
      (res) => res.ok,
      () => false,
    );
    if (live) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`service did not become live:\n${service.stdout()}`);
}
