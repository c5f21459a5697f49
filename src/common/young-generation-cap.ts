import { constants, PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/**
 * The semi-space size the service runs with: `npm start` and the image pass
 * `--max-semi-space-size=8` (the bench measured it: docs/performance.md "Requests in batches").
 */
export const SEMI_SPACE_CAP_MIB = 8;

/** V8's own default for `--semi-space-growth-factor`: the young generation doubles when it grows. */
const DEFAULT_GROWTH_FACTOR = 2;

/** Whether the process was started with its own `--max-semi-space-size` (argv or NODE_OPTIONS). */
export function semiSpaceSetByLauncher(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string | undefined = process.env.NODE_OPTIONS,
): boolean {
  const flag = /^--max[-_]semi[-_]space[-_]size(=|$)/;
  return [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].some((arg) => flag.test(arg));
}

function newSpaceBytes(): number {
  return (
    getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0
  );
}

/**
 * Keeps V8's young generation at SEMI_SPACE_CAP_MIB semi-spaces when the process was started
 * without `--max-semi-space-size` (`node dist/main.js` from an operator's own unit file or image).
 *
 * Why: Node 24 lets the young generation double with the allocation rate up to 64 MiB semi-spaces
 * (128 MiB of new space); at the service's request rates it gets there within seconds and peak RSS
 * grows by ~90 MiB for no measurable speed. The limit itself cannot be lowered once V8 has set up
 * its heap (`setFlagsFromString('--max-semi-space-size=…')` then changes nothing), but the growth
 * factor is read at every resize: after each scavenge this sets it to 1 (no growth) once the new
 * space has reached the cap, and back to V8's default if V8 has since shrunk it (idle periods), so
 * the young generation ends where the flag would have put it. The observer runs between turns
 * of the event loop, so a single turn that allocates more than a semi-space can let V8 grow once
 * more first; a server's turns (one batch of requests) allocate far less.
 *
 * Returns whether it installed the cap (false when the launcher set the size itself).
 */
export function capYoungGeneration(
  capMib = SEMI_SPACE_CAP_MIB,
  setByLauncher = semiSpaceSetByLauncher(),
): boolean {
  if (setByLauncher) return false;
  // getHeapSpaceStatistics' new space is both semi-spaces.
  const capBytes = 2 * capMib * 1024 * 1024;
  let frozen = false;
  const adjust = () => {
    const atCap = newSpaceBytes() >= capBytes;
    if (atCap === frozen) return;
    frozen = atCap;
    setFlagsFromString(`--semi-space-growth-factor=${atCap ? 1 : DEFAULT_GROWTH_FACTOR}`);
  };
  const observer = new PerformanceObserver((entries) => {
    if (entries.getEntries().some(isScavenge)) adjust();
  });
  observer.observe({ entryTypes: ['gc'] });
  adjust();
  return true;
}

/** A gc entry's `detail` (Node's `{ kind, flags }`) says which collection ran. */
function isScavenge(entry: PerformanceEntry): boolean {
  const detail = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail;
  return detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR;
}
