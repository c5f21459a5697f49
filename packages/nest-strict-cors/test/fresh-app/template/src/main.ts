import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';

async function bootstrap(): Promise<void> {
  const adapter = process.env.PLATFORM === 'fastify' ? new FastifyAdapter() : new ExpressAdapter();
  const app = await NestFactory.create(AppModule, adapter, {
    logger: ['error'],
    abortOnError: false,
  });
  await app.listen(Number(process.env.PORT), '127.0.0.1');
  process.stdout.write(`listening ${process.env.PLATFORM} ${process.env.CORS_MODE}\n`);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(
    `bootstrap failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
