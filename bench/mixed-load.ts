import { CliOptions } from './cli-options';
import { CpuPinning } from './cpu-pinning';
import { readStatusKb } from './proc-stats';
import { MixedResult } from './results-model';
import { MIXED_SHAPES } from './scenarios';
import { startServer, waitUntilHealthy } from './server-process';
import { Target } from './targets';
import { WrkResult, loadServer, writeScript } from './wrk';

export const MIXED_SECONDS = 20;
export const SETTLE_SECONDS = 60;

const rssMb = (pid: number): number | undefined => {
  const kb = readStatusKb(pid, 'VmRSS');
  return kb === undefined ? undefined : kb / 1024;
};

/**
 * Memory under a realistic mix: each target on a fresh process, alone on the server core, gets the
 * warm-up and then MIXED_SECONDS of allowed, refused, preflight and bad-JSON requests in turn.
 * VmRSS is read after the warm-up and at the end (and, with --settle, after SETTLE_SECONDS of
 * load): a heap that keeps growing under steady traffic shows as end/warm well above 1.
 */
export async function runMixedLoad(
  targets: readonly Target[],
  options: CliOptions,
  pinning: CpuPinning,
  progress: (line: string) => void,
): Promise<MixedResult[]> {
  const script = writeScript('mixed', MIXED_SHAPES);
  const results: MixedResult[] = [];
  for (const target of targets) {
    progress(`mixed load: ${target.name}`);
    const result: MixedResult = { name: target.name, requests: 0, non2xx: 0, socketErrors: 0 };
    results.push(result);
    const server = await startServer(target, pinning, `${target.name}.mixed`);
    const wrk = async (seconds: number, counted: boolean): Promise<void> => {
      const figures: WrkResult = await loadServer(pinning, server, script, seconds, options);
      if (!counted) return;
      result.requests += figures.requests;
      result.non2xx += figures.non2xx;
      result.socketErrors += figures.socketErrors;
    };
    try {
      await waitUntilHealthy(server, server.spawnedAt);
      if (options.warmupSec > 0) await wrk(options.warmupSec, false);
      result.warmRssMb = rssMb(server.pid);
      await wrk(MIXED_SECONDS, true);
      result.endRssMb = rssMb(server.pid);
      if (result.warmRssMb !== undefined && result.endRssMb !== undefined) {
        result.growth = result.endRssMb / result.warmRssMb;
      }
      if (options.settle) {
        await wrk(SETTLE_SECONDS - MIXED_SECONDS, true);
        result.settleRssMb = rssMb(server.pid);
      }
    } catch (error) {
      result.error = error instanceof Error ? error.message : String(error);
      progress(`  ${target.name} FAILED: ${result.error.split('\n', 1)[0]}`);
    } finally {
      await server.stop();
    }
  }
  return results;
}
