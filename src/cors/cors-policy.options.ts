import { OriginAllowlist } from './origin-allowlist';

/** A fully resolved, validated policy: what the env gives, possibly overridden per route. */
export interface CorsPolicyOptions {
  readonly allowlist: OriginAllowlist;
  readonly credentials: boolean;
  /** Methods a preflight may ask for, as written (method names are case-sensitive). */
  readonly methods: readonly string[];
  /** Request headers a preflight may ask for, lowercase (header names are case-insensitive). */
  readonly allowedHeaders: readonly string[];
  readonly exposedHeaders: readonly string[];
  readonly maxAge: number;
}

/**
 * What `@CorsPolicy()` accepts: any field left out comes from the environment. `origins: '*'`
 * makes a route public; it implies `credentials: false` unless credentials are set (and setting
 * them to true with `*` is refused at startup).
 */
export interface CorsRoutePolicy {
  readonly origins?: '*' | readonly string[];
  readonly credentials?: boolean;
  readonly methods?: readonly string[];
  readonly allowedHeaders?: readonly string[];
  readonly exposedHeaders?: readonly string[];
  readonly maxAge?: number;
}
