import { ChildProcess } from 'node:child_process';

/** Every child still running (servers, the build), so that any way out of the runner ends them. */
const liveChildren = new Set<ChildProcess>();

export function trackChild(child: ChildProcess): void {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}

/** Last-resort cleanup for exit paths that cannot await (signals, uncaught errors, exit). */
export function killAllChildrenNow(): void {
  for (const child of liveChildren) child.kill('SIGKILL');
  liveChildren.clear();
}
