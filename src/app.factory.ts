import { LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { PreRoutingExpressAdapter } from './common/http/pre-routing.adapter';
import { configureApp } from './app.setup';
import { AppLogger } from './logging/app-logger';

export interface CreateAppOptions {
  /** Overrides the pino logger (tests); by default Nest logs through pino like the access log. */
  readonly logger?: LoggerService | LogLevel[] | false;
}

/** Creates the fully configured application, exactly as production runs it. */
export async function createApp(options: CreateAppOptions = {}): Promise<NestExpressApplication> {
  const usePino = options.logger === undefined;
  const module = await AppModule.register();
  const app = await NestFactory.create<NestExpressApplication>(
    module,
    new PreRoutingExpressAdapter(),
    {
      bodyParser: false,
      abortOnError: false,
      bufferLogs: usePino,
      ...(usePino ? {} : { logger: options.logger }),
    },
  );
  if (usePino) app.useLogger(app.get(AppLogger));
  return configureApp(app);
}
