import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { APP_NAME } from '../common/app-version';
import { describeStore, RateLimitConfig, rateLimitConfig } from './rate-limit.config';
import { RateLimitRule, RateLimitRules } from './rate-limit-rules';

/**
 * How long a counted request may wait for Redis: past it, the store counts as down (requests are
 * served or refused as RATE_LIMIT_ON_STORE_ERROR says), so no request waits ~1 s.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 500;
const REDIS_CONNECT_TIMEOUT_MS = 1000;
/** Reconnect attempts back off to at most this interval, for as long as Redis is away. */
const REDIS_RECONNECT_MAX_MS = 1000;
/** While the store is down on a connection that stays open (a hung Redis): PING this often. */
const PROBE_INTERVAL_MS = 1000;

/** What counting one request gave: within budget, over it, or no answer from the store. */
export type CountResult =
  | { readonly kind: 'counted'; readonly res: RateLimiterRes }
  | { readonly kind: 'over'; readonly res: RateLimiterRes }
  | { readonly kind: 'store-error' };

const STORE_ERROR: CountResult = { kind: 'store-error' };
const STORE_ERROR_NOW = Promise.resolve(STORE_ERROR);

/** rate-limiter-flexible's refusal to send a command while the client is not connected. */
function isNotReady(reason: unknown): boolean {
  return reason instanceof Error && reason.message === 'Redis connection is not ready';
}

/**
 * Counts requests against their budgets with rate-limiter-flexible: in this process's memory, or
 * in Redis, where every replica shares one budget per client. The Redis limiter increments and
 * reads a key in one Lua script (one atomic round trip: no read-then-write race between replicas).
 * Both libraries are loaded only when some route is counted (ioredis only for the redis store):
 * the service with limits off does not carry them (~12 MiB of idle RSS).
 *
 * Redis may be away at startup or at any later time. The client reconnects by itself; while the
 * store is down every count fails at once (no offline queue, no request waiting on a hung Redis
 * after the first timeout), and a PING every second notices when a hung Redis answers again. Each
 * outage logs one warning when it starts and one when it ends.
 */
@Injectable()
export class RateLimitStore implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly limiters = new Map<RateLimitRule, RateLimiterAbstract>();
  private redis: Redis | undefined;
  /** Whether the store answers: memory always does; Redis once connected, until it fails. */
  private up: boolean;
  /** Whether an outage has been logged (so the recovery is logged, and only once). */
  private outageLogged = false;
  private probe: NodeJS.Timeout | undefined;
  private shuttingDown = false;
  private readonly redisUrl: string | undefined;
  readonly storeName: string;
  readonly failClosed: boolean;

  constructor(
    @Inject(rateLimitConfig.KEY) config: RateLimitConfig,
    private readonly rules: RateLimitRules,
  ) {
    this.failClosed = config.onStoreError === 'closed';
    const useRedis = rules.active && config.store === 'redis' && config.redisUrl !== undefined;
    this.redisUrl = useRedis ? config.redisUrl : undefined;
    this.storeName = useRedis ? describeStore(config) : 'memory';
    this.up = !useRedis;
  }

  async onModuleInit(): Promise<void> {
    if (!this.rules.active) return;
    const flexible = await import('rate-limiter-flexible');
    if (this.redisUrl !== undefined) {
      const { Redis } = await import('ioredis');
      this.redis = this.connect(new Redis(this.redisUrl, redisOptions()));
    }
    for (const rule of this.rules.rules) {
      const options = {
        points: rule.max,
        duration: rule.windowMs / 1000,
        keyPrefix: `${APP_NAME}:rl:${rule.scope}`,
      };
      this.limiters.set(
        rule,
        this.redis === undefined
          ? new flexible.RateLimiterMemory(options)
          : new flexible.RateLimiterRedis({
              ...options,
              storeClient: this.redis,
              // Not connected: fail at once instead of queueing the command.
              rejectIfRedisNotReady: true,
              // A client over budget is refused from this replica's memory until its window
              // ends: no round trip per request while it keeps hammering.
              inMemoryBlockOnConsumed: rule.max + 1,
            }),
      );
    }
  }

  /** Whether counting works right now (readiness under RATE_LIMIT_ON_STORE_ERROR=closed). */
  get available(): boolean {
    return this.up;
  }

  /** Counts one request of the client `key` against `rule`'s budget. Never rejects. */
  count(rule: RateLimitRule, key: string): Promise<CountResult> {
    const limiter = this.limiters.get(rule);
    if (limiter === undefined || !this.up) return STORE_ERROR_NOW;
    return limiter.consume(key).then(this.onCounted, this.onRefused);
  }

  onApplicationShutdown(): void {
    this.shuttingDown = true;
    clearInterval(this.probe);
    // disconnect(), not quit(): a quit waits for Redis, which may be the thing that is down.
    this.redis?.disconnect();
  }

  private readonly onCounted = (res: RateLimiterRes): CountResult => ({ kind: 'counted', res });

  /** rate-limiter-flexible rejects with the result when over budget, with an Error when failed. */
  private readonly onRefused = (reason: unknown): CountResult => {
    if (typeof reason === 'object' && reason !== null && 'msBeforeNext' in reason) {
      return { kind: 'over', res: reason as RateLimiterRes };
    }
    // "Not ready" is the connection's state, which its own events report (a failed connect, a
    // close). A failure on a ready connection (a timeout) is an outage of its own.
    if (isNotReady(reason)) this.up = false;
    else this.markDown(reason);
    return STORE_ERROR;
  };

  private connect(redis: Redis): Redis {
    // Without an 'error' listener ioredis prints every failed reconnect to the console.
    redis.on('error', (error: unknown) => this.markDown(error));
    redis.on('close', () => {
      if (this.up) this.markDown(new Error('connection closed'));
    });
    redis.on('ready', () => this.markUp());
    return redis;
  }

  private markDown(reason: unknown): void {
    if (this.shuttingDown) return;
    this.up = false;
    // A hung Redis keeps its connection: no 'ready' will come, so ask it every second.
    this.probe ??= setInterval(() => this.ping(), PROBE_INTERVAL_MS).unref();
    if (this.outageLogged) return;
    this.outageLogged = true;
    const message = reason instanceof Error ? reason.message : String(reason);
    this.logger.warn(
      `Rate-limit store unavailable (${this.storeName}): ${message}; ` +
        (this.failClosed
          ? 'answering counted requests 503 until it is back (RATE_LIMIT_ON_STORE_ERROR=closed)'
          : 'serving without limits until it is back (RATE_LIMIT_ON_STORE_ERROR=open)'),
    );
  }

  private ping(): void {
    const redis = this.redis;
    if (redis === undefined || redis.status !== 'ready') return;
    redis.ping().then(
      () => this.markUp(),
      () => undefined,
    );
  }

  private markUp(): void {
    if (this.shuttingDown) return;
    this.up = true;
    clearInterval(this.probe);
    this.probe = undefined;
    if (!this.outageLogged) return;
    this.outageLogged = false;
    this.logger.warn(`Rate-limit store available again (${this.storeName}): counting again`);
  }
}

function redisOptions() {
  return {
    connectionName: APP_NAME,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    // Fail commands at once while disconnected, and never resend an increment after a
    // reconnect: a resent INCRBY could count a request twice.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt: number) => Math.min(attempt * 100, REDIS_RECONNECT_MAX_MS),
  };
}
