import { INestApplication, ValidationPipe, ValidationPipeOptions } from '@nestjs/common';
import { ALLOWED_ORIGINS, ALLOW_CREDENTIALS, MAX_AGE_SECONDS } from './cors-policy';
import { HOST, portFromEnv } from './listen-address';

/**
 * The stock NestJS setup every Nest reference shares, on Express or Fastify alike: `enableCors`
 * with the benchmark's origin list, and a global ValidationPipe (by default the options most
 * tutorials use; the production reference passes stricter ones).
 */
export async function listenAsNestReference(
  app: INestApplication,
  validation: ValidationPipeOptions = { transform: true, whitelist: true },
): Promise<void> {
  app.enableCors({
    origin: [...ALLOWED_ORIGINS],
    credentials: ALLOW_CREDENTIALS,
    maxAge: MAX_AGE_SECONDS,
  });
  app.useGlobalPipes(new ValidationPipe(validation));
  await app.listen(portFromEnv(), HOST);
}
