import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { trackChild } from './child-registry';
import { CpuPinning, pinnedWrkCommand } from './cpu-pinning';
import { LOOPBACK } from './http-probe';
import { RequestShape } from './scenarios';
import type { ServerProcess } from './server-process';
import { REPO_ROOT } from './targets';

export const WRK = '/usr/bin/wrk';
const SCRIPT_DIR = join(REPO_ROOT, 'bench', 'results', 'lua');
/** Marks the line done() prints, so wrk's own text around it cannot be mistaken for it. */
const RESULT_MARK = 'wrk-result ';

/** What one wrk run reports, from the JSON line its done() prints. */
export interface WrkResult {
  requests: number;
  durationSec: number;
  requestsPerSec: number;
  /** wrk counts every answer with a status ≥ 400 as a status error: no scenario expects 1xx/3xx. */
  non2xx: number;
  /** connect + read + write + timeout: the socket-level failures. */
  socketErrors: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latencyMs: { p50: number; p99: number; max: number; mean: number };
}

export interface WrkRun {
  port: number;
  /** A script written by writeScript(). */
  script: string;
  seconds: number;
  connections: number;
  threads: number;
}

/** A double-quoted Lua string literal (the shapes are plain ASCII: only \\, " and newline need escaping). */
function lua(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n')}"`;
}

function luaHeaders(headers: Record<string, string>): string {
  return `{ ${Object.entries(headers)
    .map(([name, value]) => `[${lua(name)}] = ${lua(value)}`)
    .join(', ')} }`;
}

/**
 * done() runs once, after every thread has stopped; the summary already sums the threads.
 * Latencies are in microseconds.
 */
const DONE = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '${RESULT_MARK}{"requests":%d,"duration_us":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"non2xx":%d,"latency_us":{"p50":%d,"p99":%d,"max":%d,"mean":%.1f}}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    e.status, latency:percentile(50), latency:percentile(99), latency.max, latency.mean))
end
`;

/**
 * One request shape, static: wrk formats it once at start-up and resends the same bytes, its
 * fastest path (no request() or response() callback, so no Lua per request).
 */
function staticScript(shape: RequestShape): string {
  const lines = [`wrk.method = ${lua(shape.method)}`, `wrk.path = ${lua(shape.path)}`];
  lines.push(`wrk.headers = ${luaHeaders(shape.headers)}`);
  if (shape.body !== undefined) lines.push(`wrk.body = ${lua(shape.body)}`);
  return lines.join('\n') + '\n' + DONE;
}

/** Several shapes in turn, one per request and connection slot: request() cycles through them. */
function rotatingScript(shapes: readonly RequestShape[]): string {
  const formatted = shapes.map(
    (shape) =>
      `    wrk.format(${lua(shape.method)}, ${lua(shape.path)}, ${luaHeaders(shape.headers)}` +
      `${shape.body === undefined ? '' : `, ${lua(shape.body)}`}),`,
  );
  return `local prepared
local i = 0
init = function(args)
  prepared = {
${formatted.join('\n')}
  }
end
request = function()
  i = i % #prepared + 1
  return prepared[i]
end
${DONE}`;
}

/** Writes the script for one shape, or a rotation of several, and returns its path. */
export function writeScript(name: string, shapes: readonly RequestShape[]): string {
  mkdirSync(SCRIPT_DIR, { recursive: true });
  const path = join(SCRIPT_DIR, `${name}.lua`);
  writeFileSync(path, shapes.length === 1 ? staticScript(shapes[0]) : rotatingScript(shapes));
  return path;
}

export function wrkAvailable(): boolean {
  return existsSync(WRK);
}

function parseResult(stdout: string): WrkResult {
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARK));
  if (line === undefined) throw new Error(`wrk printed no result line:\n${stdout.trim()}`);
  const raw = JSON.parse(line.slice(RESULT_MARK.length)) as {
    requests: number;
    duration_us: number;
    errors: WrkResult['errors'];
    non2xx: number;
    latency_us: { p50: number; p99: number; max: number; mean: number };
  };
  const durationSec = raw.duration_us / 1e6;
  const ms = (us: number) => us / 1000;
  const { connect, read, write, timeout } = raw.errors;
  return {
    requests: raw.requests,
    durationSec,
    requestsPerSec: durationSec > 0 ? raw.requests / durationSec : 0,
    non2xx: raw.non2xx,
    socketErrors: connect + read + write + timeout,
    errors: raw.errors,
    latencyMs: {
      p50: ms(raw.latency_us.p50),
      p99: ms(raw.latency_us.p99),
      max: ms(raw.latency_us.max),
      mean: ms(raw.latency_us.mean),
    },
  };
}

/** Runs wrk on the load core against 127.0.0.1:<port> and parses its result line. */
export function runWrk(pinning: CpuPinning, run: WrkRun): Promise<WrkResult> {
  const { command, args } = pinnedWrkCommand(pinning, WRK, [
    `-t${run.threads}`,
    `-c${run.connections}`,
    `-d${run.seconds}s`,
    '--timeout',
    '10s',
    '--latency',
    '-s',
    run.script,
    `http://${LOOPBACK}:${run.port}/`,
  ]);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`wrk exited with ${code}: ${(stderr || stdout).trim()}`));
        return;
      }
      try {
        resolve(parseResult(stdout));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}

/**
 * wrk against a running server, with the run's connection settings; a server that died during the
 * load fails the run with its last output, so no figure of a dead server is ever counted.
 */
export async function loadServer(
  pinning: CpuPinning,
  server: ServerProcess,
  script: string,
  seconds: number,
  settings: { readonly connections: number; readonly threads: number },
): Promise<WrkResult> {
  const figures = await runWrk(pinning, {
    port: server.port,
    script,
    seconds,
    connections: settings.connections,
    threads: settings.threads,
  });
  if (server.hasExited()) {
    throw new Error(`server ${await server.exited} during load\n${server.outputTail()}`);
  }
  return figures;
}
