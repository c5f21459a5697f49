import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from './app.factory';
import { AppConfig, appConfig } from './config/app.config';
import { listenError, StartupError } from './common/startup-error';
import { ConfigValidationError } from './config/config-validation.error';
import { MetricsServer } from './metrics/metrics.server';

const logger = new Logger('Bootstrap');

async function bootstrap(): Promise<void> {
  const app = await createApp();
  const { host, port, shutdownTimeoutMs } = app.get<AppConfig>(appConfig.KEY);
  // First, so a metrics port clash stops the start before the public port takes traffic.
  await app.get(MetricsServer).start();
  await app.listen(port, host).catch((error: unknown) => {
    throw listenError(
      error,
      { name: 'PORT', value: port },
      { name: 'HOST', value: host },
      'set another PORT',
    );
  });
  logger.log(`Listening on http://${host}:${port}`);
  closeGracefullyOnSignals(app, shutdownTimeoutMs);
}

/**
 * SIGTERM/SIGINT: readiness turns 503, the server stops accepting connections, in-flight requests
 * finish (for at most `timeoutMs`, then their connections are cut), and the process exits 0 —
 * Nest's own shutdown hooks would re-raise the signal instead, which orchestrators read as a crash.
 */
function closeGracefullyOnSignals(app: NestExpressApplication, timeoutMs: number): void {
  let closing = false;
  const close = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal} received: draining in-flight requests (up to ${timeoutMs} ms)`);
    const timer = setTimeout(() => {
      logger.warn(`Shutdown timeout after ${timeoutMs} ms: closing remaining connections`);
      app.getHttpServer().closeAllConnections();
    }, timeoutMs);
    app.close().then(
      () => {
        clearTimeout(timer);
        logger.log('Shut down cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error(`Shutdown failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  // `on`, not `once`: a second signal while draining is ignored rather than killing the process.
  process.on('SIGTERM', close);
  process.on('SIGINT', close);
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigValidationError) {
    for (const problem of error.problems)
      process.stderr.write(`Invalid configuration: ${problem}\n`);
  } else if (error instanceof StartupError) {
    Logger.flush();
    process.stderr.write(`Startup failed: ${error.message}\n`);
  } else {
    // Logs are buffered until the pino logger is installed; a failure before that must not hide them.
    Logger.flush();
    const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`Startup failed: ${reason}\n`);
  }
  process.exit(1);
});
