import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../nest-enable-cors/app.module';
import { listenAsNestReference } from '../shared/nest-reference';

/**
 * What a Nest team gets by switching to Fastify: the same module, controllers and DTOs as the
 * Express reference, on `@nestjs/platform-fastify`, with `enableCors` (@fastify/cors underneath)
 * and a global ValidationPipe. It refuses no origin, like the Express reference.
 */
async function bootstrap(): Promise<void> {
  // The service's BODY_LIMIT (Fastify's default is 1 MiB as well, stated for clarity).
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule,
    new FastifyAdapter({ bodyLimit: 1024 * 1024 }),
  );
  await listenAsNestReference(app);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
