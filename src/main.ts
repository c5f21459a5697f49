import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { AppConfig, appConfig } from './config/app.config';
import { ConfigValidationError } from './config/config-validation.error';

async function bootstrap(): Promise<void> {
  const app = await createApp();
  const { host, port } = app.get<AppConfig>(appConfig.KEY);
  await app.listen(port, host);
  new Logger('Bootstrap').log(`Listening on http://${host}:${port}`);
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigValidationError) {
    for (const problem of error.problems)
      process.stderr.write(`Invalid configuration: ${problem}\n`);
  } else {
    new Logger('Bootstrap').error(
      `Startup failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  process.exit(1);
});
