import { Injectable } from '@nestjs/common';
import type { RateLimiterRes } from 'rate-limiter-flexible';
import { RATE_LIMIT_HEADERS as H } from './rate-limit.headers';
import { RateLimitRule } from './rate-limit-rules';
import { CountResult, RateLimitStore } from './rate-limit.store';
import { clientKey } from './client-key';

/** Retry-After of a 503 while the store is down: long enough not to hammer, short enough to recover. */
export const STORE_DOWN_RETRY_AFTER_S = 5;

/**
 * What to do with a counted request, and the header pairs (flat, as writeHead takes them) its
 * answer carries:
 * - `pass`: within budget (X-RateLimit-*), or served unlimited while the store is down (none);
 * - `limited`: over budget, a 429 (Retry-After and X-RateLimit-*);
 * - `unavailable`: the store is down and RATE_LIMIT_ON_STORE_ERROR=closed, a 503 (Retry-After).
 */
export interface RateLimitVerdict {
  readonly kind: 'pass' | 'limited' | 'unavailable';
  readonly headers: readonly string[];
  /** The store failed to count this request (for rate_limit_store_errors_total). */
  readonly storeError: boolean;
}

const UNLIMITED: RateLimitVerdict = { kind: 'pass', headers: [], storeError: true };
const UNAVAILABLE: RateLimitVerdict = {
  kind: 'unavailable',
  headers: [H.retryAfter, String(STORE_DOWN_RETRY_AFTER_S)],
  storeError: true,
};

/**
 * The rate-limit step of the pre-routing handler: counts a request against its budget before
 * the body is read, and says whether it may go on.
 */
@Injectable()
export class RateLimitHandler {
  constructor(private readonly store: RateLimitStore) {}

  /** Counts one request from `client` (its address, clientAddress()) against `rule`. */
  check(rule: RateLimitRule, client: string): Promise<RateLimitVerdict> {
    return this.store
      .count(rule, clientKey(client))
      .then((result) => verdictOf(rule, result, this.store.failClosed));
  }
}

function verdictOf(
  rule: RateLimitRule,
  result: CountResult,
  failClosed: boolean,
): RateLimitVerdict {
  if (result.kind === 'store-error') return failClosed ? UNAVAILABLE : UNLIMITED;
  const { res } = result;
  const reset = secondsLeft(res);
  const headers = [
    H.limit,
    rule.limitText,
    H.remaining,
    String(result.kind === 'over' ? 0 : res.remainingPoints),
    H.reset,
    String(reset),
  ];
  if (result.kind === 'counted') return { kind: 'pass', headers, storeError: false };
  headers.push(H.retryAfter, String(Math.max(1, reset)));
  return { kind: 'limited', headers, storeError: false };
}

/** Whole seconds until the window ends, rounded up (0 only once it has ended). */
function secondsLeft(res: RateLimiterRes): number {
  return Math.max(0, Math.ceil(res.msBeforeNext / 1000));
}
