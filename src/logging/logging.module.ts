import { Module } from '@nestjs/common';
import { LoggerModule, Params, PARAMS_PROVIDER_TOKEN } from 'nestjs-pino';
import { pinoHttp } from 'pino-http';
import { AppConfig, appConfig } from '../config/app.config';
import { createRootLogger, httpLoggerOptions } from './http-logger.options';

/** The pino-http middleware; configureApp() mounts it first so every request gets an id. */
export const HTTP_LOGGER = Symbol('HTTP_LOGGER');

/**
 * nestjs-pino provides the Nest Logger and per-request log context; `useExisting` because the
 * pino-http middleware is mounted by configureApp() ahead of CORS and the body parser — Nest's
 * module middleware runs after both, and would miss preflights, refusals and 413s.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (config: AppConfig): Params => ({
        pinoHttp: httpLoggerOptions(createRootLogger(config)),
        useExisting: true,
      }),
    }),
  ],
  providers: [
    {
      provide: HTTP_LOGGER,
      inject: [PARAMS_PROVIDER_TOKEN],
      useFactory: (params: Params) => pinoHttp(params.pinoHttp as Parameters<typeof pinoHttp>[0]),
    },
  ],
  exports: [HTTP_LOGGER],
})
export class LoggingModule {}
