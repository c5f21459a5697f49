import type { HeaderList, ResolvedPolicyOptions } from './options';
import { isOriginAllowed } from './origin-allowlist';

/** The facts of a request the policy looks at, read by the HTTP shell. */
export interface CorsRequest {
  /** Every `Origin` field value; a browser sends exactly one. */
  readonly origins: readonly string[] | undefined;
  /** `Sec-Fetch-Site`, which only a browser sets and a page cannot forge. */
  readonly fetchSite?: string;
}

export interface PreflightRequest extends CorsRequest {
  readonly requestMethod: string;
  readonly requestHeaders?: string;
}

/**
 * Why a request was refused, as a fixed word: safe as a metric label (the client chooses the
 * origin and the header names, never this). The human reason, with the values, goes to the log.
 */
export const REFUSAL_CODES = [
  'origin_not_allowed',
  'multiple_origins',
  'null_origin',
  'method_not_allowed',
  'header_not_allowed',
  'request_headers_too_long',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export type CorsDecision =
  /** Not a cross-origin read: no Origin, or the browser says same-origin. */
  | { readonly kind: 'not-cors'; readonly headers: HeaderList }
  | { readonly kind: 'allowed'; readonly headers: HeaderList }
  | {
      readonly kind: 'refused';
      readonly code: RefusalCode;
      readonly reason: string;
      readonly headers: HeaderList;
    };

/** Longer Access-Control-Request-Headers values are refused unread. */
const MAX_REQUEST_HEADERS_LENGTH = 4096;

/**
 * Allowed decisions are kept per origin (and preflight verdicts per requested header list), so
 * the usual request reuses a decision instead of building one. The caches stop growing at this
 * size: a one-label pattern admits any number of origins, and a client chooses the header list.
 */
const DECISION_CACHE_LIMIT = 256;
const CACHED_HEADER_LIST_LENGTH = 256;
/** Longer than any real origin (scheme, a 253-character host, a port): never kept. */
const CACHED_ORIGIN_LENGTH = 300;

type HeaderProblem = { kind: 'refused'; code: RefusalCode; reason: string };

const VARY_ORIGIN: HeaderList = [['Vary', 'Origin']];
const VARY_PREFLIGHT: HeaderList = [
  ['Vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers'],
];

/**
 * One compiled policy: every CORS decision and every CORS header comes from here, so a 200, a
 * 400, a 403, a 404 and a 413 cannot disagree. Header values that do not depend on the request are
 * computed once.
 */
export class CompiledCorsPolicy {
  readonly isPublic: boolean;
  private readonly methods: ReadonlySet<string>;
  private readonly allowedHeaders: ReadonlySet<string>;
  /** Headers of an allowed actual request, after Access-Control-Allow-Origin. */
  private readonly actualHeaders: HeaderList;
  /** Headers of an allowed preflight, after Access-Control-Allow-Origin. */
  private readonly preflightHeaders: HeaderList;
  private readonly notCorsHeaders: HeaderList;
  /** What a refused actual request keeps: no Access-Control-* header, only Vary. */
  private readonly refusedHeaders: HeaderList;
  private readonly notCors: CorsDecision;
  private readonly sameOrigin: CorsDecision;
  private readonly allowedActual = new Map<string, CorsDecision>();
  private readonly allowedPreflight = new Map<string, CorsDecision>();
  /**
   * Refusals of one Origin value, kept like the allowed decisions (a flood from one origin builds
   * its reason once); origins longer than a real one are decided each time, never kept.
   */
  private readonly refusedActual = new Map<string, CorsDecision>();
  private readonly refusedPreflight = new Map<string, CorsDecision>();
  /** Requested header list → its problem, or null when every header is allowed. */
  private readonly headerVerdicts = new Map<string, HeaderProblem | null>();

  constructor(readonly options: ResolvedPolicyOptions) {
    this.isPublic = options.allowlist.kind === 'any';
    this.methods = new Set(options.methods);
    this.allowedHeaders = new Set(options.allowedHeaders);
    const credentials: HeaderList = options.credentials
      ? [['Access-Control-Allow-Credentials', 'true']]
      : [];
    const exposed: HeaderList =
      options.exposedHeaders.length > 0
        ? [['Access-Control-Expose-Headers', options.exposedHeaders.join(', ')]]
        : [];
    // A refusal differs from what other origins get, whatever the policy: Vary: Origin.
    this.refusedHeaders = VARY_ORIGIN;
    // With `*` the response is the same for every origin, so caches need no Vary: Origin...
    this.actualHeaders = [...credentials, ...exposed, ...(this.isPublic ? [] : VARY_ORIGIN)];
    // ...provided it really is the same: `*` goes on responses to requests without an Origin too,
    // or a shared cache could store a header-less copy and serve it to browsers.
    this.notCorsHeaders = this.isPublic
      ? [['Access-Control-Allow-Origin', '*'], ...this.actualHeaders]
      : VARY_ORIGIN;
    this.preflightHeaders = [
      ['Access-Control-Allow-Methods', options.methods.join(', ')],
      ...(options.allowedHeaders.length > 0
        ? [['Access-Control-Allow-Headers', options.allowedHeaders.join(', ')] as const]
        : []),
      ['Access-Control-Max-Age', String(options.maxAge)],
      ...credentials,
      ...VARY_PREFLIGHT,
    ];
    this.notCors = { kind: 'not-cors', headers: this.notCorsHeaders };
    // A same-origin request (Sec-Fetch-Site, which pages cannot forge) gets no Allow-Origin; a
    // cache must not hand that answer to a cross-origin request with the same Origin.
    this.sameOrigin = this.isPublic
      ? this.notCors
      : { kind: 'not-cors', headers: [['Vary', 'Origin, Sec-Fetch-Site']] };
  }

  /** An actual (non-preflight) request. */
  decide(request: CorsRequest): CorsDecision {
    if (request.origins === undefined) return this.notCors;
    if (request.fetchSite === 'same-origin') return this.sameOrigin;
    const origin = this.allowedOrigin(request.origins);
    if (origin === undefined) {
      return refuseRemembered(this.refusedActual, request.origins, this.refusedHeaders);
    }
    return (
      this.allowedActual.get(origin) ??
      remember(this.allowedActual, origin, {
        kind: 'allowed',
        headers: [['Access-Control-Allow-Origin', origin], ...this.actualHeaders],
      })
    );
  }

  /** A preflight: OPTIONS with Origin and Access-Control-Request-Method. */
  decidePreflight(request: PreflightRequest): CorsDecision {
    const origin = this.allowedOrigin(request.origins ?? []);
    if (origin === undefined) {
      return refuseRemembered(this.refusedPreflight, request.origins ?? [], VARY_PREFLIGHT);
    }
    if (!this.methods.has(request.requestMethod)) {
      const reason = `method ${quote(request.requestMethod)} not allowed`;
      return refuse('method_not_allowed', reason, VARY_PREFLIGHT);
    }
    const headerProblem = this.headerProblemOf(request.requestHeaders);
    if (headerProblem !== undefined) return { ...headerProblem, headers: VARY_PREFLIGHT };
    return (
      this.allowedPreflight.get(origin) ??
      remember(this.allowedPreflight, origin, {
        kind: 'allowed',
        headers: [['Access-Control-Allow-Origin', origin], ...this.preflightHeaders],
      })
    );
  }

  private headerProblemOf(requestHeaders: string | undefined): HeaderProblem | undefined {
    if (requestHeaders === undefined) return undefined;
    const known = this.headerVerdicts.get(requestHeaders);
    if (known !== undefined) return known ?? undefined;
    const problem = this.findHeaderProblem(requestHeaders);
    // Long lists are checked each time rather than kept: the cache holds short keys only.
    if (requestHeaders.length <= CACHED_HEADER_LIST_LENGTH) {
      remember(this.headerVerdicts, requestHeaders, problem ?? null);
    }
    return problem;
  }

  /** The Access-Control-Allow-Origin value, or undefined when refused. */
  private allowedOrigin(origins: readonly string[]): string | undefined {
    if (origins.length !== 1) return undefined;
    const [origin] = origins;
    if (origin === '' || origin === 'null') return undefined;
    if (!isOriginAllowed(this.options.allowlist, origin)) return undefined;
    return this.isPublic ? '*' : origin;
  }

  private findHeaderProblem(requestHeaders: string): HeaderProblem | undefined {
    if (requestHeaders.length > MAX_REQUEST_HEADERS_LENGTH) {
      const reason = 'request headers list too long';
      return { kind: 'refused', code: 'request_headers_too_long', reason };
    }
    for (const raw of requestHeaders.split(',')) {
      const name = raw.trim().toLowerCase();
      if (name !== '' && !this.allowedHeaders.has(name)) {
        const reason = `header ${quote(name)} not allowed`;
        return { kind: 'refused', code: 'header_not_allowed', reason };
      }
    }
    return undefined;
  }
}

/** Stores `value` while the cache is below its limit; returns it either way. */
function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size < DECISION_CACHE_LIMIT) cache.set(key, value);
  return value;
}

function refuse(code: RefusalCode, reason: string, headers: HeaderList): CorsDecision {
  return { kind: 'refused', code, reason, headers };
}

function refuseRemembered(
  cache: Map<string, CorsDecision>,
  origins: readonly string[],
  headers: HeaderList,
): CorsDecision {
  if (origins.length !== 1 || origins[0].length > CACHED_ORIGIN_LENGTH) {
    return refuseOrigins(origins, headers);
  }
  const origin = origins[0];
  return cache.get(origin) ?? remember(cache, origin, refuseOrigins(origins, headers));
}

function refuseOrigins(origins: readonly string[], headers: HeaderList): CorsDecision {
  if (origins.length === 0) return refuse('origin_not_allowed', 'origin missing', headers);
  if (origins.length > 1) {
    return refuse('multiple_origins', `${origins.length} Origin values`, headers);
  }
  const reason = `origin ${quote(origins[0])} not allowed`;
  return refuse(origins[0] === 'null' ? 'null_origin' : 'origin_not_allowed', reason, headers);
}

/** Quoted and shortened, so hostile values cannot flood or forge log lines. */
function quote(value: string): string {
  return JSON.stringify(shorten(value, QUOTED_VALUE_LIMIT));
}

/** Characters of a value quote() shows before it shortens it. */
const QUOTED_VALUE_LIMIT = 100;

/**
 * `text` cut to its first `max` code points plus `…` when longer: cutting by UTF-16 units could
 * split a surrogate pair and put half an emoji in a log line.
 */
function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  // 2 × max UTF-16 units hold at least max code points.
  const kept = Array.from(text.slice(0, max * 2))
    .slice(0, max)
    .join('');
  return kept.length === text.length ? text : `${kept}…`;
}
