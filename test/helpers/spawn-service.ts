import { spawn } from 'node:child_process';
import path from 'node:path';

export const MAIN_JS = path.resolve(__dirname, '../../dist/main.js');

export interface StartupResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built service (`npm test` builds first) with exactly `env` plus PATH, and waits for it
 * to exit. For configurations that must be refused, so it should exit on its own; `timeoutMs`
 * kills a process that started listening instead.
 */
export function runService(
  env: Record<string, string>,
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<StartupResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN_JS], {
      cwd: options.cwd ?? path.dirname(MAIN_JS),
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 10_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
