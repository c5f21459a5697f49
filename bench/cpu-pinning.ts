import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const TASKSET = '/usr/bin/taskset';

export interface CpuPinning {
  /** CPU the servers run on, or undefined when pinning is off. */
  serverCpu?: number;
  /** CPU wrk (and the runner, which only waits while wrk runs) runs on. */
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
 * Puts the load generator and the servers on different cores so neither steals the other's CPU.
 *
 * wrk is started through `taskset -c <first core>` and every server through `taskset -c <second
 * core>`; the runner pins itself (all its threads, `-a`) to the first core as well, so its /proc
 * reads and bookkeeping between wrk runs never land on the servers' core. Only the target being
 * loaded uses the second core: the others sit idle on it. Called after the service build so tsc
 * may use every core.
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
    note: `servers on CPU ${serverCpu}, wrk on CPU ${loadCpu}`,
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

/** The command line that starts `wrk <args>` on the load core when pinning is on. */
export function pinnedWrkCommand(
  pinning: CpuPinning,
  wrkPath: string,
  wrkArgs: string[],
): { command: string; args: string[] } {
  if (pinning.loadCpu === undefined) return { command: wrkPath, args: wrkArgs };
  return { command: TASKSET, args: ['-c', String(pinning.loadCpu), wrkPath, ...wrkArgs] };
}
