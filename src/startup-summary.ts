import { APP_NAME, APP_VERSION } from './common/app-version';
import { AppConfig } from './config/app.config';
import { CorsConfig } from './cors/cors.config';
import { describeStore, RateLimitConfig } from './rate-limit/rate-limit.config';
import type { RateLimitRules } from './rate-limit/rate-limit-rules';

/**
 * The one info line a start writes: where to look (URLs) and the configuration in effect, so an
 * operator reading the log of a pod sees which allowlist it really runs with.
 */
export function startupSummary(
  app: AppConfig,
  cors: CorsConfig,
  metricsUrl: string | undefined,
  limits: RateLimitConfig,
  rules: Pick<RateLimitRules, 'active' | 'envRule' | 'rules'>,
): Record<string, unknown> & { msg: string } {
  const base = `http://${browseHost(app.host)}:${app.port}`;
  const metrics =
    metricsUrl === undefined
      ? null
      : metricsUrl.replace(/^http:\/\/(0\.0\.0\.0|\[::\])(?=:)/, 'http://localhost');
  const docs = app.docsEnabled ? `${base}/docs` : null;
  const { origins: allowed } = cors.options;
  const origins = allowed === '*' ? '*' : allowed.join(', ');
  const { policy } = cors;
  const store =
    limits.store === 'redis' && limits.redisUrl !== undefined
      ? `${describeStore(limits)}, ${limits.onStoreError} on store errors`
      : 'memory, per process';
  // Budgets declared by @RateLimit() count even with RATE_LIMIT_MAX=0.
  const ownBudgets = rules.rules.length - (rules.envRule === undefined ? 0 : 1);
  const scope =
    rules.envRule === undefined
      ? `only routes with @RateLimit (${ownBudgets} budget${ownBudgets === 1 ? '' : 's'})`
      : `${limits.max} per ${limits.windowMs / 1000} s per client` +
        (ownBudgets > 0
          ? ` and ${ownBudgets} @RateLimit budget${ownBudgets === 1 ? '' : 's'}`
          : '');
  const rateLimit = rules.active ? `${scope} (${store}), TRUST_PROXY=${app.trustProxy}` : 'off';
  return {
    msg:
      `${APP_NAME} ${APP_VERSION} listening on ${base} (${app.host}:${app.port}), ` +
      `NODE_ENV=${app.nodeEnv}, CORS origins: ${origins}` +
      `${policy.credentials ? ' with credentials' : ''}; docs: ${docs ?? 'off'}; ` +
      `metrics: ${metrics ?? 'off'}; rate limit: ${rateLimit}`,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    nodeEnv: app.nodeEnv,
    host: app.host,
    port: app.port,
    bodyLimitBytes: app.bodyLimitBytes,
    cors: {
      origins: allowed,
      credentials: policy.credentials,
      methods: policy.methods,
      allowedHeaders: policy.allowedHeaders,
      exposedHeaders: policy.exposedHeaders,
      maxAge: policy.maxAge,
    },
    docs,
    metrics,
    rateLimit: !rules.active
      ? null
      : {
          max: limits.max,
          windowMs: limits.windowMs,
          store: limits.store,
          onStoreError: limits.onStoreError,
          trustProxy: app.trustProxy,
        },
  };
}

/** A wildcard bind address is where to listen, not where to browse. */
function browseHost(host: string): string {
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return shown.includes(':') ? `[${shown}]` : shown;
}
