import { Module } from '@nestjs/common';
import { LoggerModule, PARAMS_PROVIDER_TOKEN, Params } from 'nestjs-pino';
import type { Logger } from 'pino';
import { AppConfig, appConfig } from '../config/app.config';
import { AccessLog } from './access-log';
import { AppLogger } from './app-logger';
import { createRootLogger, ROOT_LOGGER } from './root-logger';

/**
 * nestjs-pino turns Nest's Logger into pino. Its per-request middleware is not mounted
 * (`forRoutes: []`): the request id and access log are written before routing by AccessLog, and
 * the middleware's AsyncLocalStorage context costs throughput on every request while nothing in
 * the handlers logs.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (config: AppConfig) => ({
        pinoHttp: { logger: createRootLogger(config) },
        useExisting: true,
        forRoutes: [],
      }),
    }),
  ],
  providers: [
    {
      provide: ROOT_LOGGER,
      // The logger handed to nestjs-pino above, so both write through one pino instance.
      inject: [PARAMS_PROVIDER_TOKEN],
      useFactory: (params: Params) => (params.pinoHttp as { logger: Logger }).logger,
    },
    AccessLog,
    AppLogger,
  ],
  exports: [AccessLog, AppLogger, ROOT_LOGGER],
})
export class LoggingModule {}
