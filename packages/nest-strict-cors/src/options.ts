import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CorsDecision } from './compiled-policy';
import type { OriginAllowlist } from './origin-allowlist';

/**
 * Which origins may read a route's answers: `'*'` (any origin, never with credentials), or a list
 * of exact origins as browsers send them (`https://app.example.com`, `http://localhost:5173`) and
 * one-label patterns (`https://*.example.com` matches `https://a.example.com`, not
 * `https://a.b.example.com` nor `https://example.com`).
 */
export type CorsOrigins = '*' | readonly string[];

/**
 * A CORS policy as written by a developer: the module's options, or a `@CorsPolicy()` on a
 * controller or a handler (where every field is optional and left-out fields are inherited).
 */
export interface CorsPolicyOptions {
  readonly origins?: CorsOrigins;
  /** Default false. `Access-Control-Allow-Credentials: true` (cookies, HTTP auth). */
  readonly credentials?: boolean;
  /** What a preflight may ask for; default `['GET', 'HEAD', 'POST']`. Case-sensitive. */
  readonly methods?: readonly string[];
  /** Request headers a preflight may ask for; default `['Content-Type']`. Case-insensitive. */
  readonly allowedHeaders?: readonly string[];
  /** Response headers the page may read besides the safelisted ones; default none. */
  readonly exposedHeaders?: readonly string[];
  /** Seconds a browser may cache a preflight's answer, 0-86400; default 600. */
  readonly maxAge?: number;
}

/**
 * Where the module answers preflights and refusals:
 * - `'middleware'` (default): a Nest middleware, after the platform's body parser;
 * - `'before-routing'`: a listener in front of Express's or Fastify's own, before the router and
 *   the body parser, so 404, 413 and 415 answers carry CORS headers and refused bodies are never
 *   parsed;
 * - `'manual'`: nothing is installed; the application calls `StrictCorsHandler.decide()` from its
 *   own request handling (the guard still applies).
 */
export type StrictCorsMode = 'middleware' | 'before-routing' | 'manual';

/** What `StrictCorsModule.forRoot()` and `forRootAsync()` take. */
export interface StrictCorsOptions extends CorsPolicyOptions {
  /** Required: there is no default that would be safe. */
  readonly origins: CorsOrigins;
  readonly mode?: StrictCorsMode;
  /**
   * Plain-http origins (other than loopback ones) are refused with credentials, since anyone on
   * the network can impersonate them; true accepts them. Default false.
   */
  readonly allowInsecureOrigins?: boolean;
  /**
   * Exposed by every policy, whatever its own `exposedHeaders` (e.g. a request id the front end
   * quotes in bug reports). Default none.
   */
  readonly alwaysExposedHeaders?: readonly string[];
  /** Called with every decision (see CorsDecisionEvent); must not throw. */
  readonly onDecision?: (event: CorsDecisionEvent) => void;
  /**
   * How the guard replaces the CORS headers of a response when the handler's policy differs from
   * the one that admitted the request before routing. Default: removes every `Access-Control-*`
   * and `Vary` header and sets the new ones.
   */
  readonly replaceHeaders?: (response: ServerResponse, headers: HeaderList) => void;
}

/** Header name/value pairs, in the order they are written. */
export type HeaderList = ReadonlyArray<readonly [name: string, value: string]>;

/** Where a decision was made. */
export type DecisionStage = 'before-routing' | 'middleware' | 'manual' | 'guard';

/** One CORS decision, for logs and metrics (the package depends on neither). */
export interface CorsDecisionEvent {
  /** Node's request (Fastify's `request.raw`). */
  readonly request: IncomingMessage;
  readonly stage: DecisionStage;
  readonly preflight: boolean;
  /** The request's Origin as received (several lines joined by ", "), if any. */
  readonly origin: string | undefined;
  /** The declared route the request was matched to (`/greet/:id`), or undefined when none. */
  readonly route: string | undefined;
  /** `kind` is allowed, refused or not-cors; a refusal has a fixed `code` and a `reason`. */
  readonly decision: CorsDecision;
}

/** A fully resolved, validated policy. */
export interface ResolvedPolicyOptions {
  readonly allowlist: OriginAllowlist;
  readonly credentials: boolean;
  /** Methods a preflight may ask for, as written (method names are case-sensitive). */
  readonly methods: readonly string[];
  /** Request headers a preflight may ask for, lowercase (header names are case-insensitive). */
  readonly allowedHeaders: readonly string[];
  readonly exposedHeaders: readonly string[];
  readonly maxAge: number;
}

export const POLICY_DEFAULTS = {
  credentials: false,
  methods: ['GET', 'HEAD', 'POST'],
  allowedHeaders: ['Content-Type'],
  exposedHeaders: [],
  maxAge: 600,
} as const satisfies Required<Omit<CorsPolicyOptions, 'origins'>>;
