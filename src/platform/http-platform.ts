import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import type { AbstractHttpAdapter } from '@nestjs/core';
import type { JsonBodyLimits } from '../common/body/json-body.reader';
import type { PreRoutingServer } from '../common/http/pre-routing-server';

export const HTTP_PLATFORMS = ['express', 'fastify'] as const;
export type HttpPlatformName = (typeof HTTP_PLATFORMS)[number];

export interface PlatformSetup {
  readonly limits: JsonBodyLimits;
}

/**
 * What is specific to one HTTP platform, behind one small interface createApp() picks from: the
 * Nest adapter running on the shared pre-routing server, and body parsing. Nothing else in src/
 * imports express, fastify or a platform package.
 */
export interface HttpPlatform {
  readonly name: HttpPlatformName;
  createAdapter(preRouting: PreRoutingServer): {
    adapter: AbstractHttpAdapter;
    options: NestApplicationOptions;
  };
  configure(app: INestApplication, setup: PlatformSetup): void | Promise<void>;
}
