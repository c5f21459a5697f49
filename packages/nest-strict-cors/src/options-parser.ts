import { METHODS } from 'node:http';
import { ResolvedPolicyOptions } from './options';
import {
  buildAllowlist,
  isLoopbackOrigin,
  OriginEntry,
  parseOriginEntry,
  schemeOf,
} from './origin-allowlist';

/** The unvalidated settings, from the environment, the module's options or a `@CorsPolicy()`. */
export interface RawCorsSettings {
  readonly origins: '*' | readonly string[];
  readonly credentials: boolean;
  readonly methods: readonly string[];
  readonly allowedHeaders: readonly string[];
  readonly exposedHeaders: readonly string[];
  readonly maxAge: number;
  readonly allowInsecureOrigins: boolean;
  /** Exposed whatever `exposedHeaders` says (StrictCorsOptions.alwaysExposedHeaders). */
  readonly alwaysExposedHeaders: readonly string[];
}

/** How each setting is named in messages: an env variable, or a decorator field. */
export type SettingLabels = Readonly<
  Record<
    | 'origins'
    | 'credentials'
    | 'methods'
    | 'allowedHeaders'
    | 'exposedHeaders'
    | 'maxAge'
    | 'allowInsecureOrigins',
    string
  >
>;

export interface ParsedCorsSettings {
  readonly options: ResolvedPolicyOptions;
  readonly problems: readonly string[];
  readonly loopbackOrigins: readonly string[];
}

/** Seconds; browsers cap the preflight cache lower anyway (Chromium at 7200). */
export const MAX_AGE_LIMIT = 86_400;

/** RFC 9110 token: what a method or a header name may contain. */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Validates and compiles CORS settings. Every problem names the setting and the offending entry,
 * so the same rules give clear startup errors for the env and for each decorated route.
 */
export function parseCorsSettings(raw: RawCorsSettings, labels: SettingLabels): ParsedCorsSettings {
  const problems: string[] = [];
  const entries: OriginEntry[] = [];
  const { origins } = raw;

  if (origins === '*') {
    if (raw.credentials) {
      problems.push(
        `${labels.origins}: "*" cannot be combined with ${labels.credentials}=true (browsers reject it); list the origins instead`,
      );
    }
  } else if (origins.length === 0) {
    problems.push(`${labels.origins}: must list at least one origin`);
  } else {
    for (const origin of origins) {
      const result = parseOriginEntry(origin);
      if (!result.ok) {
        problems.push(`${labels.origins}: "${origin}" ${result.problem}`);
        continue;
      }
      const insecure =
        result.entry.kind === 'exact'
          ? schemeOf(origin) === 'http' && !result.entry.loopback
          : schemeOf(origin) === 'http';
      if (insecure && raw.credentials && !raw.allowInsecureOrigins) {
        problems.push(
          `${labels.origins}: "${origin}" is plain http with ${labels.credentials}=true; use https or set ${labels.allowInsecureOrigins}=true`,
        );
        continue;
      }
      entries.push(result.entry);
    }
  }

  if (raw.methods.length === 0) problems.push(`${labels.methods}: must list at least one method`);
  problems.push(...tokenProblems(labels.methods, raw.methods, 'method'));
  for (const method of raw.methods) {
    if (TOKEN.test(method) && method !== method.toUpperCase()) {
      problems.push(`${labels.methods}: "${method}" must be uppercase ("${method.toUpperCase()}")`);
    } else if (TOKEN.test(method) && !METHODS.includes(method)) {
      // A preflight would allow it, then Node's parser would refuse the request itself with a 400.
      problems.push(
        `${labels.methods}: "${method}" is not a method Node's HTTP server accepts (e.g. GET, POST, PUT, PATCH, DELETE)`,
      );
    }
  }
  problems.push(...tokenProblems(labels.allowedHeaders, raw.allowedHeaders, 'header name'));
  problems.push(...tokenProblems(labels.exposedHeaders, raw.exposedHeaders, 'header name'));
  problems.push(...tokenProblems('alwaysExposedHeaders', raw.alwaysExposedHeaders, 'header name'));
  if (!Number.isInteger(raw.maxAge) || raw.maxAge < 0 || raw.maxAge > MAX_AGE_LIMIT) {
    problems.push(`${labels.maxAge} must be an integer 0-${MAX_AGE_LIMIT}, got ${raw.maxAge}`);
  }

  return {
    options: {
      allowlist: origins === '*' ? { kind: 'any' } : buildAllowlist(entries),
      credentials: raw.credentials,
      methods: unique(raw.methods),
      allowedHeaders: unique(raw.allowedHeaders.map((name) => name.toLowerCase())),
      // An entry repeated in another case is listed once.
      exposedHeaders: uniqueIgnoringCase([...raw.alwaysExposedHeaders, ...raw.exposedHeaders]),
      maxAge: raw.maxAge,
    },
    problems,
    loopbackOrigins: origins === '*' ? [] : origins.filter(isLoopbackOrigin),
  };
}

function tokenProblems(label: string, values: readonly string[], what: string): string[] {
  return values.flatMap((value) => {
    if (value === '*') return [`${label}: "*" is not supported; list each ${what}`];
    return TOKEN.test(value) ? [] : [`${label}: "${value}" is not a valid ${what}`];
  });
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function uniqueIgnoringCase(values: readonly string[]): string[] {
  const seen = new Set<string>();
  return values.filter((value) => {
    const key = value.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
