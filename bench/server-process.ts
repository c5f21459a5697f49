import { spawn } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { trackChild } from './child-registry';
import { CpuPinning, pinnedNodeCommand } from './cpu-pinning';
import { findTwoFreePorts } from './free-port';
import { LOOPBACK, probe } from './http-probe';
import { REPO_ROOT, Target } from './targets';

/** Where each server's output goes (gitignored with the results). */
export const SERVER_LOG_DIR = join(REPO_ROOT, 'bench', 'results', 'logs');

const OUTPUT_TAIL_CHARS = 4000;
const STOP_GRACE_MS = 3000;

export interface ServerProcess {
  readonly target: Target;
  readonly pid: number;
  readonly port: number;
  /** performance.now() just before the spawn: where a cold start begins. */
  readonly spawnedAt: number;
  /** Resolves with a description of how the process ended. */
  readonly exited: Promise<string>;
  hasExited(): boolean;
  /** The end of what the server printed, for diagnosing a failed start. */
  outputTail(): string;
  stop(): Promise<void>;
}

/**
 * Starts a target on two fresh loopback ports. The second is the service's metrics listener, so
 * its default port (9464) being taken on the machine cannot stop a run; the references ignore it.
 * `logName`: the output goes to results/logs/<logName>.log (default: the target's name).
 */
export async function startServer(
  target: Target,
  pinning: CpuPinning,
  logName: string = target.name,
): Promise<ServerProcess> {
  const [port, metricsPort] = await findTwoFreePorts();
  const { command, args } = pinnedNodeCommand(pinning, [...target.nodeArgs, target.entry]);
  mkdirSync(SERVER_LOG_DIR, { recursive: true });
  const logFile = join(SERVER_LOG_DIR, `${logName}.log`);
  const logFd = openSync(logFile, 'w');
  const spawnedAt = performance.now();
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ...target.env,
      HOST: LOOPBACK,
      PORT: String(port),
      METRICS_HOST: LOOPBACK,
      METRICS_PORT: String(metricsPort),
      NODE_ENV: 'production',
    },
    // A file, as a container runtime's log driver gives it: the service writes one access line
    // per request, and a pipe read by this process — which shares its core with wrk —
    // could not keep up, so the measure would be of the reader, not the server.
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  if (child.pid === undefined) throw new Error(`could not spawn ${command}`);
  trackChild(child);

  let done = false;
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve(signal !== null ? `killed by ${signal}` : `exited with code ${code}`);
    });
  });

  return {
    target,
    pid: child.pid,
    port,
    spawnedAt,
    exited,
    hasExited: () => done,
    outputTail: () => tailOf(logFile, OUTPUT_TAIL_CHARS),
    stop: async () => {
      if (done) return;
      child.kill('SIGTERM');
      const graceful = await Promise.race([exited, sleep(STOP_GRACE_MS, undefined)]);
      if (graceful === undefined) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/**
 * Polls GET on the target's health path (every 5 ms) until it answers 200; resolves with the ms
 * elapsed since `sinceMs`.
 */
export async function waitUntilHealthy(
  server: ServerProcess,
  sinceMs: number,
  timeoutMs = 30_000,
): Promise<number> {
  const path = server.target.healthPath;
  for (;;) {
    if (server.hasExited()) {
      throw new Error(
        `server ${await server.exited} before answering ${path}\n${server.outputTail()}`,
      );
    }
    try {
      const res = await probe(server.port, { method: 'GET', path, timeoutMs: 1000 });
      if (res.status === 200) return performance.now() - sinceMs;
    } catch {
      // Not listening yet: connection refused is the expected answer while the server boots.
    }
    if (performance.now() - sinceMs > timeoutMs) {
      throw new Error(`no 200 from ${path} within ${timeoutMs} ms\n${server.outputTail()}`);
    }
    await sleep(5);
  }
}

/** The last `bytes` of a file (a loaded service's log runs to hundreds of megabytes). */
function tailOf(file: string, bytes: number): string {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const buffer = Buffer.alloc(Math.min(bytes, size));
    readSync(fd, buffer, 0, buffer.length, size - buffer.length);
    return buffer.toString('utf8').trim();
  } finally {
    closeSync(fd);
  }
}
