import { capYoungGeneration } from './common/young-generation-cap';

/**
 * Installed while the entry point's imports load, before NestJS and the rest of the service
 * allocate: the module graph's start alone would otherwise double the young generation past the
 * cap (to 32 MiB of new space, measured) before bootstrap() ran.
 */
export const youngGenerationCapped = capYoungGeneration();
