import { INestApplication, ValidationPipe } from '@nestjs/common';
import { ALLOWED_ORIGINS, ALLOW_CREDENTIALS, MAX_AGE_SECONDS } from './cors-policy';
import { HOST, portFromEnv } from './listen-address';

/**
 * The stock NestJS setup both Nest references share, on Express or Fastify alike: `enableCors`
 * with the benchmark's origin list, and a global ValidationPipe.
 */
export async function listenAsNestReference(app: INestApplication): Promise<void> {
  app.enableCors({
    origin: [...ALLOWED_ORIGINS],
    credentials: ALLOW_CREDENTIALS,
    maxAge: MAX_AGE_SECONDS,
  });
  app.useGlobalPipes(new ValidationPipe({ transform: true, whitelist: true }));
  await app.listen(portFromEnv(), HOST);
}
