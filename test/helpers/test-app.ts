import type { INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { createApp } from '../../src/app.factory';

export interface TestApp {
  readonly app: INestApplication;
  /** e.g. `http://127.0.0.1:40123` */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts the app exactly as main.ts does (same factory, same configureApp) on a free loopback
 * port, with `env` laid over the process environment while the app reads its configuration.
 * A value of `undefined` removes the variable.
 */
export async function startTestApp(
  env: Record<string, string | undefined> = {},
  logger: LogLevel[] | LoggerService | false = false,
): Promise<TestApp> {
  const app = await withEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env }, () =>
    createApp({ logger }),
  );
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url, close: () => app.close() };
}

async function withEnv<T>(
  env: Record<string, string | undefined>,
  run: () => Promise<T>,
): Promise<T> {
  const saved = new Map(Object.keys(env).map((key) => [key, process.env[key]]));
  for (const [key, value] of Object.entries(env)) setEnv(key, value);
  try {
    return await run();
  } finally {
    for (const [key, value] of saved) setEnv(key, value);
  }
}

function setEnv(key: string, value: string | undefined): void {
  if (value === undefined) delete process.env[key];
  else process.env[key] = value;
}
