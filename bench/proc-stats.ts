import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Linux only; every reader returns undefined elsewhere or once the process is gone. */

function readProcFile(pid: number, file: 'status' | 'stat'): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

export function readStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  const status = readProcFile(pid, 'status');
  const match =
    status === undefined ? null : new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match === null ? undefined : Number(match[1]);
}

let ticksPerSecond: number | undefined;

function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    } catch {
      ticksPerSecond = 100; // USER_HZ on every mainstream Linux build.
    }
  }
  return ticksPerSecond;
}

/** User plus system CPU seconds the process has used so far. */
export function readCpuSeconds(pid: number): number | undefined {
  const stat = readProcFile(pid, 'stat');
  if (stat === undefined) return undefined;
  // The command name (field 2) may contain spaces; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond();
}

/** CPU seconds the whole machine has spent busy (all cores, idle and iowait excluded). */
export function readMachineBusySeconds(): number | undefined {
  let stat: string;
  try {
    stat = readFileSync('/proc/stat', 'utf8');
  } catch {
    return undefined;
  }
  // First line: "cpu  user nice system idle iowait irq softirq steal guest guest_nice".
  const [user, nice, system, , , irq, softirq, steal] = stat
    .slice(0, stat.indexOf('\n'))
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (user + nice + system + irq + softirq + steal) / clockTicksPerSecond();
}
