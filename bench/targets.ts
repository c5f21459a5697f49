import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ALLOWED_ORIGINS, ALLOW_CREDENTIALS, MAX_AGE_SECONDS } from './servers/shared/cors-policy';

/** bench/dist/ holds this file once compiled; the repository root is two levels up. */
export const REPO_ROOT = resolve(__dirname, '..', '..');
const SERVERS_DIR = join(__dirname, 'servers');

export const TARGET_NAMES = [
  'service',
  'service-fastify',
  'nest-enable-cors',
  'nest-fastify-cors',
  'nest-production',
  'node-http',
] as const;

export type TargetName = (typeof TARGET_NAMES)[number];

/** Every per-round ratio divides by this target's figure from the same round. */
export const REFERENCE_TARGET: TargetName = 'nest-enable-cors';

/** Targets that run this repository's build (dist/main.js). */
export const SERVICE_TARGETS: readonly TargetName[] = ['service', 'service-fastify'];

/** What a disallowed origin must get: the service refuses it, the references just omit CORS. */
export type DisallowedExpectation = 'refused-403' | 'no-allow-origin';

export interface Target {
  name: TargetName;
  description: string;
  /** Compiled entry point, absolute. */
  entry: string;
  /** Node's own flags, before the entry point. */
  nodeArgs: readonly string[];
  env: Record<string, string>;
  disallowed: DisallowedExpectation;
  /** Polled until 200 at start-up and timed by the cold start. */
  healthPath: string;
}

/**
 * The Node flags the service ships with: `npm start` runs `node <flags> dist/main.js` and the
 * image's CMD the same (test/deploy-manifests keeps them equal), so the service is measured the
 * way it runs.
 */
export const SERVICE_NODE_ARGS: readonly string[] = serviceNodeArgs();

function serviceNodeArgs(): string[] {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const words = pkg.scripts.start.trim().split(/\s+/);
  if (words[0] !== 'node' || words[words.length - 1] !== 'dist/main.js') {
    throw new Error(`npm start is not "node [flags] dist/main.js": ${pkg.scripts.start}`);
  }
  return words.slice(1, -1);
}

const SERVICE_ENV = {
  CORS_ALLOWED_ORIGINS: ALLOWED_ORIGINS.join(','),
  CORS_ALLOW_CREDENTIALS: String(ALLOW_CREDENTIALS),
  CORS_MAX_AGE: String(MAX_AGE_SECONDS),
};

const reference = (name: TargetName, description: string, entry: string): Target => ({
  name,
  description,
  entry,
  nodeArgs: [],
  env: {},
  disallowed: 'no-allow-origin',
  healthPath: '/health',
});

const TARGET_LIST: readonly Target[] = [
  {
    name: 'service',
    description: 'the service (dist/main.js on Express, its own CORS layer, logs and metrics on)',
    entry: join(REPO_ROOT, 'dist', 'main.js'),
    nodeArgs: SERVICE_NODE_ARGS,
    env: SERVICE_ENV,
    disallowed: 'refused-403',
    healthPath: '/health/live',
  },
  {
    name: 'service-fastify',
    description: 'the same service with HTTP_PLATFORM=fastify',
    entry: join(REPO_ROOT, 'dist', 'main.js'),
    nodeArgs: SERVICE_NODE_ARGS,
    env: { ...SERVICE_ENV, HTTP_PLATFORM: 'fastify' },
    disallowed: 'refused-403',
    healthPath: '/health/live',
  },
  reference(
    'nest-enable-cors',
    'NestJS 12 + Express, app.enableCors + DTO/ValidationPipe (reference, 1.00×)',
    join(SERVERS_DIR, 'nest-enable-cors', 'main.js'),
  ),
  reference(
    'nest-fastify-cors',
    'the same NestJS app on @nestjs/platform-fastify',
    join(SERVERS_DIR, 'nest-fastify-cors', 'main.js'),
  ),
  reference(
    'nest-production',
    'NestJS + Express, enableCors, strict ValidationPipe, helmet, nestjs-pino, prom-client',
    join(SERVERS_DIR, 'nest-production', 'main.js'),
  ),
  reference(
    'node-http',
    'plain node:http, hand-written CORS (upper bound)',
    join(SERVERS_DIR, 'node-http.js'),
  ),
];

export const TARGETS: Readonly<Record<TargetName, Target>> = Object.fromEntries(
  TARGET_LIST.map((target) => [target.name, target]),
) as Record<TargetName, Target>;

export function isTargetName(name: string): name is TargetName {
  return (TARGET_NAMES as readonly string[]).includes(name);
}
