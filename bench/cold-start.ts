import { CpuPinning } from './cpu-pinning';
import { findTwoFreePorts } from './free-port';
import { startServer, waitUntilHealthy } from './server-process';
import { Target } from './targets';

export interface ColdStartResult {
  medianMs: number;
  samplesMs: number[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Time from spawn to the first 200 on GET /health: module loading, DI and route setup included,
 * which is what a restart or a scale-out costs. The median of several starts discards the
 * occasional slow one caused by disk cache or scheduler noise.
 */
export async function measureColdStart(
  target: Target,
  pinning: CpuPinning,
  runs: number,
): Promise<ColdStartResult> {
  const samplesMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const [port, metricsPort] = await findTwoFreePorts();
    const spawnedAt = performance.now();
    const server = startServer(target, port, pinning, metricsPort);
    try {
      samplesMs.push(await waitUntilHealthy(server, spawnedAt));
    } finally {
      await server.stop();
    }
  }
  return { medianMs: median(samplesMs), samplesMs };
}
