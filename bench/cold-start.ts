import { CpuPinning } from './cpu-pinning';
import { ColdStartResult } from './results-model';
import { startServer, waitUntilHealthy } from './server-process';
import { median, summariseRatios } from './stats';
import { Target } from './targets';

export const COLD_START_PAIRS = 7;

async function coldStartMs(target: Target, pinning: CpuPinning): Promise<number> {
  const server = await startServer(target, pinning, `${target.name}.cold`);
  try {
    return await waitUntilHealthy(server, server.spawnedAt);
  } finally {
    await server.stop();
  }
}

/**
 * Time from spawn to the first 200 on the target's health path (the service's /health/live, the
 * reference's /health): module loading, DI, route set-up and config validation, which is what a
 * restart or a scale-out costs. Paired runs, the pair's order alternating, so disk cache and
 * machine drift hit both alike; the ratio is taken pair by pair.
 */
export async function measureColdStarts(
  service: Target,
  reference: Target,
  pinning: CpuPinning,
  progress: (line: string) => void,
): Promise<ColdStartResult> {
  const result: ColdStartResult = {
    service: service.name,
    reference: reference.name,
    serviceMs: [],
    referenceMs: [],
  };
  progress(`cold start: ${COLD_START_PAIRS} pairs of ${service.name} and ${reference.name}`);
  try {
    for (let pair = 0; pair < COLD_START_PAIRS; pair++) {
      const serviceFirst = pair % 2 === 0;
      const first = await coldStartMs(serviceFirst ? service : reference, pinning);
      const second = await coldStartMs(serviceFirst ? reference : service, pinning);
      result.serviceMs.push(serviceFirst ? first : second);
      result.referenceMs.push(serviceFirst ? second : first);
    }
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  }
  result.serviceMedianMs = median(result.serviceMs);
  result.referenceMedianMs = median(result.referenceMs);
  result.ratio = summariseRatios(result.serviceMs.map((ms, i) => ms / result.referenceMs[i]));
  return result;
}
