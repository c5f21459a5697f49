import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const TASKSET = '/usr/bin/taskset';

export interface CpuPinning {
  /** CPU the servers run on, or undefined when pinning is off. */
  serverCpu?: number;
  /** CPU the runner, and with it autocannon, runs on. */
  loadCpu?: number;
  note: string;
}

/** Expands taskset's list format ("0,2-3") into CPU numbers. */
function parseCpuList(list: string): number[] {
  return list.split(',').flatMap((part) => {
    const [from, to] = part.split('-').map(Number);
    if (to === undefined) return [from];
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  });
}

function allowedCpus(): number[] {
  const output = execFileSync(TASKSET, ['-c', '-p', String(process.pid)], { encoding: 'utf8' });
  const list = /list:\s*([\d,\s-]+)$/m.exec(output)?.[1]?.trim();
  return list === undefined ? [] : parseCpuList(list);
}

/**
 * Puts the load generator and the server on different cores so neither steals the other's CPU.
 *
 * autocannon runs inside this process rather than in a child: pinning the runner itself (all its
 * threads, `-a`) keeps the load generator on the first core with no IPC between runner and load,
 * and the runner's only other work during a load run is reading /proc every 100 ms. Servers are
 * then spawned through `taskset -c <second core>`, which overrides the affinity they would
 * otherwise inherit from the runner. Called after the service build so tsc may use every core.
 */
export function pinRunnerAndPlanServers(): CpuPinning {
  if (process.platform !== 'linux' || !existsSync(TASKSET)) {
    return { note: 'not pinned: taskset unavailable; load and server share all cores' };
  }
  const cpus = allowedCpus();
  if (cpus.length < 2) {
    return { note: `not pinned: only CPU ${cpus.join(',')} available; load and server share it` };
  }
  const [loadCpu, serverCpu] = cpus;
  execFileSync(TASKSET, ['-a', '-c', '-p', String(loadCpu), String(process.pid)], {
    stdio: 'ignore',
  });
  return {
    loadCpu,
    serverCpu,
    note: `server on CPU ${serverCpu}, load generator on CPU ${loadCpu}`,
  };
}

/** The command line that starts `node <args>` on the server core when pinning is on. */
export function pinnedNodeCommand(
  pinning: CpuPinning,
  nodeArgs: string[],
): { command: string; args: string[] } {
  if (pinning.serverCpu === undefined) return { command: process.execPath, args: nodeArgs };
  return {
    command: TASKSET,
    args: ['-c', String(pinning.serverCpu), process.execPath, ...nodeArgs],
  };
}
