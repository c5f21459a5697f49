import { join, resolve } from 'node:path';
import { ALLOWED_ORIGINS, ALLOW_CREDENTIALS, MAX_AGE_SECONDS } from './servers/shared/cors-policy';

/** bench/dist/ holds this file once compiled; the repository root is two levels up. */
export const REPO_ROOT = resolve(__dirname, '..', '..');
const SERVERS_DIR = join(__dirname, 'servers');

export type TargetName =
  | 'service'
  | 'service-no-metrics'
  | 'service-fastify'
  | 'nest-enable-cors'
  | 'nest-fastify-cors'
  | 'express-cors'
  | 'fastify-cors'
  | 'node-http';

/** Targets that run this repository's build (dist/main.js). */
export const SERVICE_TARGETS: readonly TargetName[] = [
  'service',
  'service-no-metrics',
  'service-fastify',
];

/** What a disallowed origin must get: the service refuses it, the references just omit CORS. */
export type DisallowedExpectation = 'refused-403' | 'no-allow-origin';

export interface Target {
  name: TargetName;
  description: string;
  /** Compiled entry point, absolute. */
  entry: string;
  env: Record<string, string>;
  disallowed: DisallowedExpectation;
}

/** Every ratio divides by this target's figure from the same run. */
export const REFERENCE_TARGET: TargetName = 'nest-enable-cors';

const SERVICE_ENV = {
  CORS_ALLOWED_ORIGINS: ALLOWED_ORIGINS.join(','),
  CORS_ALLOW_CREDENTIALS: String(ALLOW_CREDENTIALS),
  CORS_MAX_AGE: String(MAX_AGE_SECONDS),
};

export const TARGETS: readonly Target[] = [
  {
    name: 'service',
    description: 'the service under test (dist/main.js, its own CORS layer, metrics on)',
    entry: join(REPO_ROOT, 'dist', 'main.js'),
    env: SERVICE_ENV,
    disallowed: 'refused-403',
  },
  {
    name: 'service-no-metrics',
    description: 'the same service with METRICS_ENABLED=false (what metrics cost)',
    entry: join(REPO_ROOT, 'dist', 'main.js'),
    env: { ...SERVICE_ENV, METRICS_ENABLED: 'false' },
    disallowed: 'refused-403',
  },
  {
    name: 'service-fastify',
    description: 'the same service with HTTP_PLATFORM=fastify',
    entry: join(REPO_ROOT, 'dist', 'main.js'),
    env: { ...SERVICE_ENV, HTTP_PLATFORM: 'fastify' },
    disallowed: 'refused-403',
  },
  {
    name: 'nest-enable-cors',
    description: 'NestJS 12, app.enableCors + DTO/ValidationPipe (reference, 1.00×)',
    entry: join(SERVERS_DIR, 'nest-enable-cors', 'main.js'),
    env: {},
    disallowed: 'no-allow-origin',
  },
  {
    name: 'nest-fastify-cors',
    description: 'NestJS 12 on @nestjs/platform-fastify, enableCors + DTO/ValidationPipe',
    entry: join(SERVERS_DIR, 'nest-fastify-cors', 'main.js'),
    env: {},
    disallowed: 'no-allow-origin',
  },
  {
    name: 'express-cors',
    description: 'Express 5 + cors + express.json',
    entry: join(SERVERS_DIR, 'express-cors.js'),
    env: {},
    disallowed: 'no-allow-origin',
  },
  {
    name: 'fastify-cors',
    description: 'Fastify 5 + @fastify/cors + JSON schema',
    entry: join(SERVERS_DIR, 'fastify-cors.js'),
    env: {},
    disallowed: 'no-allow-origin',
  },
  {
    name: 'node-http',
    description: 'plain node:http, hand-written CORS (upper bound)',
    entry: join(SERVERS_DIR, 'node-http.js'),
    env: {},
    disallowed: 'no-allow-origin',
  },
];

export function isTargetName(name: string): name is TargetName {
  return TARGETS.some((target) => target.name === name);
}
