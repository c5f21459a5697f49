import { readFileSync } from 'node:fs';

/**
 * A memory figure of a live process from /proc/<pid>/status, in kB: VmRSS is resident memory now,
 * VmHWM the kernel's high-water mark of it over the process's life (so it catches every spike
 * without sampling). Linux only; undefined elsewhere or once the process is gone.
 */
export function readStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match === null ? undefined : Number(match[1]);
}
