import type {
  CorsOrigins,
  CorsPolicyOptions,
  ResolvedPolicyOptions,
  StrictCorsOptions,
} from './options';
import { POLICY_DEFAULTS } from './options';
import { MAX_AGE_LIMIT, parseCorsSettings, SettingLabels } from './options-parser';
import { PolicyField, StrictCorsOptionsError } from './resolve-options';

/** The environment to read: `process.env`, or what a config loader merged. */
export type EnvSource = Readonly<Record<string, string | undefined>>;

/** The variable behind each setting. */
export const CORS_ENV_VARIABLES = {
  origins: 'CORS_ALLOWED_ORIGINS',
  credentials: 'CORS_ALLOW_CREDENTIALS',
  methods: 'CORS_ALLOWED_METHODS',
  allowedHeaders: 'CORS_ALLOWED_HEADERS',
  exposedHeaders: 'CORS_EXPOSED_HEADERS',
  maxAge: 'CORS_MAX_AGE',
  allowInsecureOrigins: 'CORS_ALLOW_INSECURE_ORIGINS',
} as const satisfies SettingLabels;

export interface CorsEnvSettings {
  /**
   * Used when a variable is unset or blank; the package's defaults otherwise. With no `origins`
   * default, CORS_ALLOWED_ORIGINS is required.
   */
  readonly defaults?: CorsPolicyOptions;
  /**
   * Production: CORS_ALLOWED_ORIGINS is required whatever the defaults, and loopback origins
   * give warnings. Default: `NODE_ENV === 'production'` in the environment read.
   */
  readonly production?: boolean;
  /** Passed on to the options (StrictCorsOptions.alwaysExposedHeaders). */
  readonly alwaysExposedHeaders?: readonly string[];
}

type Setting = PolicyField;

export interface CorsEnvResult {
  /** The module's options (the policy fields and allowInsecureOrigins); valid when no problems. */
  readonly options: StrictCorsOptions;
  /** The policy the options compile to. */
  readonly policy: ResolvedPolicyOptions;
  /** Each names the variable and the value; empty when the environment is valid. */
  readonly problems: readonly string[];
  /** Valid but doubtful settings (a loopback origin in production). */
  readonly warnings: readonly string[];
  /** Whether each setting came from its variable or from the defaults. */
  readonly sources: Readonly<Record<Setting, 'env' | 'default'>>;
}

const INTEGER = /^\d+$/;

/**
 * Reads the CORS_* variables with the rules and messages of the module's options:
 * - CORS_ALLOWED_ORIGINS: comma-separated origins or patterns, or `*`;
 * - CORS_ALLOW_CREDENTIALS, CORS_ALLOW_INSECURE_ORIGINS: `true` or `false`;
 * - CORS_ALLOWED_METHODS, CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS: comma-separated;
 * - CORS_MAX_AGE: seconds, 0-86400.
 * Values are trimmed; a blank variable counts as unset. Returns every problem rather than
 * throwing (corsOptionsFromEnv throws them).
 */
export function readCorsEnv(env: EnvSource, settings: CorsEnvSettings = {}): CorsEnvResult {
  const names = CORS_ENV_VARIABLES;
  const defaults = settings.defaults ?? {};
  const production = settings.production ?? env.NODE_ENV?.trim() === 'production';
  const problems: string[] = [];
  const raw = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const list = (name: string, fallback: readonly string[]): readonly string[] => {
    const value = raw(name);
    if (value === undefined) return fallback;
    return value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  };
  const flag = (name: string, fallback: boolean): boolean => {
    const value = raw(name);
    if (value === undefined || value === 'true' || value === 'false') {
      return value === undefined ? fallback : value === 'true';
    }
    problems.push(`${name} must be "true" or "false", got ${JSON.stringify(value)}`);
    return fallback;
  };
  const seconds = (name: string, fallback: number): number => {
    const value = raw(name);
    if (value === undefined) return fallback;
    const parsed = INTEGER.test(value) ? Number(value) : NaN;
    if (Number.isSafeInteger(parsed) && parsed <= MAX_AGE_LIMIT) return parsed;
    problems.push(`${name} must be an integer 0-${MAX_AGE_LIMIT}, got ${JSON.stringify(value)}`);
    return fallback;
  };

  let origins: CorsOrigins = defaults.origins ?? [];
  const listed = list(names.origins, []);
  const missing = raw(names.origins) === undefined && (production || !defaults.origins);
  // Set but listing nothing (","): the parser says it must list one.
  if (raw(names.origins) !== undefined) {
    origins = listed.length === 1 && listed[0] === '*' ? '*' : listed;
  } else if (missing) {
    const when = production ? ' when NODE_ENV=production' : '';
    problems.push(
      `${names.origins} is required${when}, got nothing (e.g. "https://app.example.com")`,
    );
  }
  const options = {
    origins,
    credentials: flag(names.credentials, defaults.credentials ?? POLICY_DEFAULTS.credentials),
    methods: list(names.methods, defaults.methods ?? POLICY_DEFAULTS.methods),
    allowedHeaders: list(
      names.allowedHeaders,
      defaults.allowedHeaders ?? POLICY_DEFAULTS.allowedHeaders,
    ),
    exposedHeaders: list(
      names.exposedHeaders,
      defaults.exposedHeaders ?? POLICY_DEFAULTS.exposedHeaders,
    ),
    maxAge: seconds(names.maxAge, defaults.maxAge ?? POLICY_DEFAULTS.maxAge),
    allowInsecureOrigins: flag(names.allowInsecureOrigins, false),
    alwaysExposedHeaders: settings.alwaysExposedHeaders ?? [],
  };
  // Missing origins are reported above; the other settings are still checked, against a
  // stand-in list that adds no problem of its own.
  const parsed = parseCorsSettings(
    missing ? { ...options, origins: ['https://example.com'] } : options,
    names,
  );
  problems.push(...parsed.problems);
  const warnings = production
    ? parsed.loopbackOrigins.map(
        (origin) => `${names.origins}: "${origin}" is a loopback origin in production`,
      )
    : [];
  const source = (setting: Setting) => (raw(names[setting]) !== undefined ? 'env' : 'default');
  return {
    options,
    policy: parsed.options,
    problems,
    warnings,
    sources: {
      origins: source('origins'),
      credentials: source('credentials'),
      methods: source('methods'),
      allowedHeaders: source('allowedHeaders'),
      exposedHeaders: source('exposedHeaders'),
      maxAge: source('maxAge'),
    },
  };
}

/**
 * The module's options from the CORS_* variables, for
 * `StrictCorsModule.forRootAsync({ useFactory: () => corsOptionsFromEnv() })`. Throws a
 * StrictCorsOptionsError listing every problem.
 */
export function corsOptionsFromEnv(
  env: EnvSource = process.env,
  settings: CorsEnvSettings = {},
): StrictCorsOptions {
  const result = readCorsEnv(env, settings);
  if (result.problems.length > 0) throw new StrictCorsOptionsError(result.problems);
  return result.options;
}
