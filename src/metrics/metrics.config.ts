import { ConfigType, registerAs } from '@nestjs/config';
import { readAppEnv } from '../config/app.config';
import { EnvReader } from '../config/env-reader';
import { parseEnv } from '../config/parse-env';

export const METRICS_DEFAULT_PORT = 9464;

const ANY_ADDRESS = new Set(['0.0.0.0', '::', '[::]']);

/**
 * The metrics listener: its own port, so the public port never serves /metrics (9464 is the
 * port OpenTelemetry's Prometheus exporter uses). It listens on HOST unless METRICS_HOST says
 * otherwise, e.g. 127.0.0.1 for a scraper in the same pod or host.
 */
export function readMetricsEnv(reader: EnvReader, app: { host: string; port: number }) {
  const before = reader.problemCount;
  const enabled = reader.boolean('METRICS_ENABLED', true);
  const host = reader.host('METRICS_HOST', app.host);
  const port = reader.integer('METRICS_PORT', METRICS_DEFAULT_PORT, 1, 65535);
  // Compared only when every value is valid, so one mistake gives one message.
  if (enabled && reader.problemCount === before && port === app.port && overlap(host, app.host)) {
    reader.fail(
      `METRICS_PORT must differ from PORT (${app.port}): the metrics listener needs its own port, got "${port}"`,
    );
  }
  return { enabled, host, port };
}

function overlap(a: string, b: string): boolean {
  return a === b || ANY_ADDRESS.has(a) || ANY_ADDRESS.has(b);
}

export const metricsConfig = registerAs('metrics', () =>
  parseEnv(process.env, (reader) => readMetricsEnv(reader, readAppEnv(reader))),
);
export type MetricsConfig = ConfigType<typeof metricsConfig>;
