import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import {
  RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { APP_NAME } from '../common/app-version';
import { RateLimitConfig, rateLimitConfig, redactUrl } from './rate-limit.config';
import { RateLimitRule, RateLimitRules } from './rate-limit-rules';

/**
 * How long a counted request may wait for Redis: past it, the store counts as down for that
 * request (served or refused as RATE_LIMIT_ON_STORE_ERROR says), so no request waits ~1 s.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 500;
const REDIS_CONNECT_TIMEOUT_MS = 1000;
/** Reconnect attempts back off to at most this interval, for as long as Redis is away. */
const REDIS_RECONNECT_MAX_MS = 1000;

/** What counting one request gave: within budget, over it, or no answer from the store. */
export type CountResult =
  | { readonly kind: 'counted'; readonly res: RateLimiterRes }
  | { readonly kind: 'over'; readonly res: RateLimiterRes }
  | { readonly kind: 'store-error' };

const STORE_ERROR: CountResult = { kind: 'store-error' };

/** rate-limiter-flexible's refusal to send a command while the client is not connected. */
function isNotReady(reason: unknown): boolean {
  return reason instanceof Error && reason.message === 'Redis connection is not ready';
}

/**
 * Counts requests against their budgets with rate-limiter-flexible: in this process's memory, or
 * in Redis, where every replica shares one budget per client. The Redis limiter increments and
 * reads a key in one Lua script (one atomic round trip: no read-then-write race between replicas).
 *
 * Redis may be away at startup or at any later time: the client reconnects by itself, commands
 * fail at once while it is not connected (no offline queue) and time out after
 * REDIS_COMMAND_TIMEOUT_MS, and each outage logs one warning when it starts and one when it ends.
 */
@Injectable()
export class RateLimitStore implements OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly limiters = new Map<RateLimitRule, RateLimiterAbstract>();
  private readonly redis: Redis | undefined;
  /** Whether the store answers: memory always does; Redis once connected, until it fails. */
  private up: boolean;
  /** Whether an outage has been logged (so the recovery is logged, and only once). */
  private outageLogged = false;
  readonly storeName: string;
  readonly failClosed: boolean;

  constructor(@Inject(rateLimitConfig.KEY) config: RateLimitConfig, rules: RateLimitRules) {
    this.failClosed = config.onStoreError === 'closed';
    const useRedis = rules.active && config.store === 'redis' && config.redisUrl !== undefined;
    this.storeName = useRedis ? `redis at ${redactUrl(config.redisUrl as string)}` : 'memory';
    this.up = !useRedis;
    if (useRedis) this.redis = this.connect(config.redisUrl as string);
    for (const rule of rules.rules) {
      const options = {
        points: rule.max,
        duration: rule.windowMs / 1000,
        keyPrefix: `${APP_NAME}:rl:${rule.scope}`,
      };
      this.limiters.set(
        rule,
        this.redis === undefined
          ? new RateLimiterMemory(options)
          : new RateLimiterRedis({
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
    if (limiter === undefined) return Promise.resolve(STORE_ERROR);
    return limiter.consume(key).then(this.onCounted, this.onRefused);
  }

  onApplicationShutdown(): void {
    // disconnect(), not quit(): a quit waits for Redis, which may be the thing that is down.
    this.redis?.disconnect();
  }

  private readonly onCounted = (res: RateLimiterRes): CountResult => {
    if (!this.up && this.redis?.status === 'ready') this.markUp();
    return { kind: 'counted', res };
  };

  /** rate-limiter-flexible rejects with the result when over budget, with an Error when failed. */
  private readonly onRefused = (reason: unknown): CountResult => {
    if (reason instanceof RateLimiterRes) return { kind: 'over', res: reason };
    this.up = false;
    // "Not ready" is the connection's state, which its own events log (a failed connect, a
    // close): a request in the first milliseconds after start, before the first connect, is no
    // outage. A failure on a ready connection (a timeout) is.
    if (!isNotReady(reason)) this.markDown(reason);
    return STORE_ERROR;
  };

  private connect(url: string): Redis {
    const redis = new Redis(url, {
      connectionName: APP_NAME,
      connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
      // Fail commands at once while disconnected, and never resend an increment after a
      // reconnect: a resent INCRBY could count a request twice.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: (attempt) => Math.min(attempt * 100, REDIS_RECONNECT_MAX_MS),
    });
    // Without an 'error' listener ioredis prints every failed reconnect to the console.
    redis.on('error', (error: unknown) => this.markDown(error));
    redis.on('close', () => {
      if (this.up) this.markDown(new Error('connection closed'));
    });
    redis.on('ready', () => this.markUp());
    return redis;
  }

  private markDown(reason: unknown): void {
    this.up = false;
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

  private markUp(): void {
    this.up = true;
    if (!this.outageLogged) return;
    this.outageLogged = false;
    this.logger.warn(`Rate-limit store available again (${this.storeName}): counting again`);
  }
}
