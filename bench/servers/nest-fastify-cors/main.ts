import 'reflect-metadata';
import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { ALLOWED_ORIGINS, ALLOW_CREDENTIALS, MAX_AGE_SECONDS } from '../shared/cors-policy';
import { HOST, portFromEnv } from '../shared/listen-address';
import { AppModule } from '../nest-enable-cors/app.module';

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
  app.enableCors({
    origin: [...ALLOWED_ORIGINS],
    credentials: ALLOW_CREDENTIALS,
    maxAge: MAX_AGE_SECONDS,
  });
  app.useGlobalPipes(new ValidationPipe({ transform: true, whitelist: true }));
  await app.listen(portFromEnv(), HOST);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
