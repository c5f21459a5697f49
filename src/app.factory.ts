import { INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { PreRoutingServer } from './common/http/pre-routing-server';
import { parseEnv } from './config/parse-env';
import { AppLogger } from './logging/app-logger';
import { HttpPlatform, HTTP_PLATFORMS, HttpPlatformName } from './platform/http-platform';

export interface CreateAppOptions {
  /** Overrides the pino logger (tests); by default Nest logs through pino like the access log. */
  readonly logger?: LoggerService | LogLevel[] | false;
}

/**
 * Loaded on demand: the platform not chosen is never loaded (6 MiB less idle RSS on Express,
 * 3 MiB on Fastify, and a shorter start; docs/performance.md). `.js`: Node's import() of a
 * relative file needs the compiled name.
 */
const PLATFORMS: Record<HttpPlatformName, () => Promise<HttpPlatform>> = {
  express: async () => (await import('./platform/express/express-platform.js')).expressPlatform,
  fastify: async () => (await import('./platform/fastify/fastify-platform.js')).fastifyPlatform,
};

const preRoutingServers = new WeakMap<INestApplication, PreRoutingServer>();

/** The server every request goes through first (in-flight count, the shutdown cut). */
export function preRoutingServerOf(app: INestApplication): PreRoutingServer {
  const server = preRoutingServers.get(app);
  if (server === undefined) throw new Error('the application was not created by createApp()');
  return server;
}

/** Creates the fully configured application, exactly as production runs it. */
export async function createApp(options: CreateAppOptions = {}): Promise<INestApplication> {
  const usePino = options.logger === undefined;
  // First: it loads the .env files, which may set HTTP_PLATFORM (validated there too).
  const module = await AppModule.register();
  const platform =
    await PLATFORMS[
      parseEnv(process.env, (reader) => reader.oneOf('HTTP_PLATFORM', HTTP_PLATFORMS, 'express'))
    ]();
  const preRouting = new PreRoutingServer();
  const { adapter, options: platformOptions } = platform.createAdapter(preRouting);
  const app = await NestFactory.create(module, adapter, {
    ...platformOptions,
    abortOnError: false,
    bufferLogs: usePino,
    ...(usePino ? {} : { logger: options.logger }),
  });
  preRoutingServers.set(app, preRouting);
  if (usePino) app.useLogger(app.get(AppLogger));
  return configureApp(app, preRouting, platform);
}
