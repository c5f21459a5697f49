import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

export const MAIN_JS = path.resolve(__dirname, '../../dist/main.js');

export interface StartupResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  /** Kill the process if it has not exited by then (a config that should fail but listened). */
  timeoutMs?: number;
  /** Stop the process (SIGTERM) once its stdout contains this text. */
  untilStdout?: string;
}

/**
 * Runs the built service (`npm test` builds first) with exactly `env` plus PATH and HOST, and
 * waits for it to exit.
 */
export function runService(
  env: Record<string, string>,
  options: RunOptions = {},
): Promise<StartupResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN_JS], {
      cwd: options.cwd ?? path.dirname(MAIN_JS),
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => {
      stdout += data.toString();
      if (options.untilStdout !== undefined && stdout.includes(options.untilStdout)) {
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 10_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface JsonLogLine {
  level: number;
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
