import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { listenAsNestReference } from '../shared/nest-reference';
import { AppModule } from './app.module';

/**
 * Reference and baseline of every ratio: the stock NestJS setup, `enableCors` with an origin list
 * plus a global ValidationPipe. The service under test must beat this to justify its own layer.
 */
async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule);
  // The service's BODY_LIMIT: with Nest's default 100kb every 1 MB hostile body would be a cheap 413.
  app.useBodyParser('json', { limit: '1mb' });
  await listenAsNestReference(app);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
