// First: see young-generation.ts.
import { youngGenerationCapped } from './young-generation';
import 'reflect-metadata';
import { INestApplication, Logger } from '@nestjs/common';
import { createApp, preRoutingServerOf } from './app.factory';
import { AppConfig, appConfig } from './config/app.config';
import { listenError, StartupError } from './common/startup-error';
import { ConfigValidationError } from './config/config-validation.error';
import type { Logger as PinoLogger } from 'pino';
import { ROOT_LOGGER } from './logging/root-logger';
import { MetricsServer } from './metrics/metrics.server';
import { corsConfig } from './cors/cors.config';
import { rateLimitConfig } from './rate-limit/rate-limit.config';
import { RateLimitRules } from './rate-limit/rate-limit-rules';
import { startupSummary } from './startup-summary';
import { SEMI_SPACE_CAP_MIB } from './common/young-generation-cap';

const logger = new Logger('Bootstrap');

async function bootstrap(): Promise<void> {
  const app = await createApp();
  const { host, port, shutdownTimeoutMs } = app.get<AppConfig>(appConfig.KEY);
  // First, so a metrics port clash stops the start before the public port takes traffic.
  const metricsUrl = await app.get(MetricsServer).start();
  await app.listen(port, host).catch((error: unknown) => {
    throw listenError(
      error,
      { name: 'PORT', value: port },
      { name: 'HOST', value: host },
      'set another PORT',
    );
  });
  logger.log(
    startupSummary(
      app.get<AppConfig>(appConfig.KEY),
      app.get(corsConfig.KEY),
      metricsUrl,
      app.get(rateLimitConfig.KEY),
      app.get(RateLimitRules),
    ),
  );
  // At debug: the first info line stays the one summary (docs/operations.md, the log contract).
  if (youngGenerationCapped) {
    logger.debug(
      `Started without --max-semi-space-size: V8's young generation is held at ${SEMI_SPACE_CAP_MIB} MiB semi-spaces at run time (as npm start's flag would)`,
    );
  }
  closeGracefullyOnSignals(app, shutdownTimeoutMs);
}

/**
 * SIGTERM/SIGINT: readiness turns 503, the server stops accepting connections, in-flight requests
 * finish (for at most `timeoutMs`, then their connections are cut and counted), the log is
 * flushed, and the process exits 0 — Nest's own shutdown hooks would re-raise the signal instead,
 * which orchestrators read as a crash.
 */
function closeGracefullyOnSignals(app: INestApplication, timeoutMs: number): void {
  const adapter = preRoutingServerOf(app);
  let closing = false;
  let cut = 0;
  const close = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal} received: draining in-flight requests (up to ${timeoutMs} ms)`);
    const timer = setTimeout(() => {
      cut = adapter.inFlightCount;
      logger.warn({
        msg: `Shutdown timeout after ${timeoutMs} ms: cutting ${cut} request(s) still in flight`,
        cut,
      });
      adapter.cutInFlight();
    }, timeoutMs);
    app.close().then(
      () => {
        clearTimeout(timer);
        exitAfterFlush(app, 0, () => {
          if (cut === 0) logger.log('Shut down cleanly');
          else logger.warn({ msg: `Shut down after cutting ${cut} request(s)`, cut });
        });
      },
      (error: unknown) => {
        exitAfterFlush(app, 1, () => logger.error(`Shutdown failed: ${String(error)}`));
      },
    );
  };
  // `on`, not `once`: a second signal while draining is ignored rather than killing the process.
  process.on('SIGTERM', close);
  process.on('SIGINT', close);
}

/**
 * Exits once the log is complete: the responses of connections just cut emit 'close' (and log
 * their `request aborted` line) a loop turn or two after the server has closed, so this waits for
 * them (at most a second), writes the last line, then flushes the log.
 */
function exitAfterFlush(app: INestApplication, code: number, lastLine: () => void): void {
  const adapter = preRoutingServerOf(app);
  const root = app.get<PinoLogger>(ROOT_LOGGER);
  const deadline = Date.now() + 1000;
  const exitWhenDone = () => {
    if (adapter.inFlightCount > 0 && Date.now() < deadline) {
      setTimeout(exitWhenDone, 5);
      return;
    }
    // One more turn for 'close' listeners still queued behind the last one, then the last line.
    setImmediate(() => {
      lastLine();
      root.flush(() => process.exit(code));
    });
  };
  exitWhenDone();
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
