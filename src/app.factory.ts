import { NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';

/** Creates the fully configured application, exactly as production runs it. */
export async function createApp(
  options: Pick<NestApplicationOptions, 'logger'> = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(await AppModule.register(), {
    ...options,
    bodyParser: false,
    abortOnError: false,
  });
  return configureApp(app);
}
