import { ChildProcess } from 'node:child_process';

interface TrackedChild {
  child: ChildProcess;
  /** Spawned detached, as the leader of its own process group: kill the whole group. */
  group: boolean;
}

/** Every child still running (servers, the build), so that any way out of the runner ends them. */
const liveChildren = new Set<TrackedChild>();

export function trackChild(child: ChildProcess, options: { group?: boolean } = {}): void {
  const tracked = { child, group: options.group ?? false };
  liveChildren.add(tracked);
  child.once('exit', () => liveChildren.delete(tracked));
}

/** Last-resort cleanup for exit paths that cannot await (signals, uncaught errors, exit). */
export function killAllChildrenNow(): void {
  for (const { child, group } of liveChildren) {
    try {
      if (group && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      // Already gone between its exit and our exit event: nothing left to kill.
    }
  }
  liveChildren.clear();
}
