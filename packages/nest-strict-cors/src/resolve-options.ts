import type {
  CorsPolicyOptions,
  ResolvedPolicyOptions,
  StrictCorsMode,
  StrictCorsOptions,
} from './options';
import { POLICY_DEFAULTS } from './options';
import { parseCorsSettings, RawCorsSettings, SettingLabels } from './options-parser';

/** Bad module options or a bad `@CorsPolicy()`: every problem, each naming the field and value. */
export class StrictCorsOptionsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`nest-strict-cors: invalid CORS options\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'StrictCorsOptionsError';
  }
}

/** Options and decorators name their fields as written in code. */
export const FIELD_LABELS: SettingLabels = {
  origins: 'origins',
  credentials: 'credentials',
  methods: 'methods',
  allowedHeaders: 'allowedHeaders',
  exposedHeaders: 'exposedHeaders',
  maxAge: 'maxAge',
  allowInsecureOrigins: 'allowInsecureOrigins',
};

/** The fields of a policy, in the order messages and explanations list them. */
export const POLICY_FIELDS = [
  'origins',
  'credentials',
  'methods',
  'allowedHeaders',
  'exposedHeaders',
  'maxAge',
] as const;
export type PolicyField = (typeof POLICY_FIELDS)[number];
const LIST_FIELDS = ['methods', 'allowedHeaders', 'exposedHeaders', 'alwaysExposedHeaders'];
const MODULE_FIELDS: readonly string[] = [
  ...POLICY_FIELDS,
  'mode',
  'allowInsecureOrigins',
  'alwaysExposedHeaders',
  'onDecision',
  'replaceHeaders',
];
const MODES: readonly StrictCorsMode[] = ['middleware', 'before-routing', 'manual'];
/** Names other CORS libraries use, so a migration gets a pointer instead of a silent default. */
const OTHER_NAMES: Readonly<Record<string, string>> = {
  origin: 'origins',
  allowedOrigins: 'origins',
  headers: 'allowedHeaders',
  allowHeaders: 'allowedHeaders',
  exposeHeaders: 'exposedHeaders',
  allowCredentials: 'credentials',
  allowMethods: 'methods',
};

/** The module's settings with defaults filled in: what a `@CorsPolicy()` inherits field by field. */
export type ModuleSettings = RawCorsSettings;

/**
 * Checks the module's options (from `forRoot`, or whatever a `forRootAsync` factory returned, which
 * TypeScript cannot check) and fills in the defaults. Throws StrictCorsOptionsError.
 */
export function resolveModuleOptions(options: StrictCorsOptions): {
  readonly settings: ModuleSettings;
  readonly policy: ResolvedPolicyOptions;
  readonly mode: StrictCorsMode;
} {
  const problems = shapeProblems(options, MODULE_FIELDS, 'options');
  if (problems.length > 0) throw new StrictCorsOptionsError(problems);
  if (options.origins === undefined) {
    throw new StrictCorsOptionsError([
      'origins: is required, got nothing (e.g. ["https://app.example.com"], or "*" for a public API)',
    ]);
  }
  const settings: ModuleSettings = {
    origins: options.origins,
    credentials: options.credentials ?? POLICY_DEFAULTS.credentials,
    methods: options.methods ?? POLICY_DEFAULTS.methods,
    allowedHeaders: options.allowedHeaders ?? POLICY_DEFAULTS.allowedHeaders,
    exposedHeaders: options.exposedHeaders ?? POLICY_DEFAULTS.exposedHeaders,
    maxAge: options.maxAge ?? POLICY_DEFAULTS.maxAge,
    allowInsecureOrigins: options.allowInsecureOrigins ?? false,
    alwaysExposedHeaders: options.alwaysExposedHeaders ?? [],
  };
  const parsed = parseCorsSettings(settings, FIELD_LABELS);
  if (parsed.problems.length > 0) throw new StrictCorsOptionsError(parsed.problems);
  return { settings, policy: parsed.options, mode: options.mode ?? 'middleware' };
}

/**
 * A decorated route's policy: each field from the route's decorator, else the controller's, else
 * the module. `origins: '*'` without `credentials` turns credentials off rather than inheriting
 * them (a public route in a credentialed module answers `*`); `'*'` with `credentials: true` is
 * refused. Problems are returned, prefixed with `where`, so one bootstrap error lists them all.
 */
export function resolveRoutePolicy(
  onRoute: CorsPolicyOptions | undefined,
  onController: CorsPolicyOptions | undefined,
  module: ModuleSettings,
  where: string,
): { readonly policy: ResolvedPolicyOptions; readonly problems: readonly string[] } {
  const shape = [
    ...shapeProblems(onController, POLICY_FIELDS, 'decorator'),
    ...shapeProblems(onRoute, POLICY_FIELDS, 'decorator'),
  ];
  const usable = shape.length === 0;
  const route: CorsPolicyOptions = usable ? { ...onController, ...onRoute } : {};
  const parsed = parseCorsSettings(
    {
      origins: route.origins ?? module.origins,
      credentials: usable
        ? inheritedCredentials(onRoute, onController, module)
        : module.credentials,
      methods: route.methods ?? module.methods,
      allowedHeaders: route.allowedHeaders ?? module.allowedHeaders,
      exposedHeaders: route.exposedHeaders ?? module.exposedHeaders,
      maxAge: route.maxAge ?? module.maxAge,
      allowInsecureOrigins: module.allowInsecureOrigins,
      alwaysExposedHeaders: module.alwaysExposedHeaders,
    },
    FIELD_LABELS,
  );
  const problems = [...shape, ...parsed.problems].map((problem) => `${where}: ${problem}`);
  return { policy: parsed.options, problems };
}

/**
 * A decorator with `origins: '*'` and no `credentials` turns them off: what it declares public
 * does not inherit the credentials of the level above (the controller's, or the module's).
 */
function inheritedCredentials(
  onRoute: CorsPolicyOptions | undefined,
  onController: CorsPolicyOptions | undefined,
  module: ModuleSettings,
): boolean {
  if (onRoute?.credentials !== undefined) return onRoute.credentials;
  if (onRoute?.origins === '*') return false;
  if (onController?.credentials !== undefined) return onController.credentials;
  if (onController?.origins === '*') return false;
  return module.credentials;
}

/** Type checks of what plain JavaScript (or a cast) could pass; the values are checked later. */
function shapeProblems(
  value: unknown,
  fields: readonly string[],
  what: 'options' | 'decorator',
): string[] {
  if (value === undefined && what === 'decorator') return [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [`${what === 'options' ? 'options' : '@CorsPolicy()'} must be an object`];
  }
  const problems: string[] = [];
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (fields.includes(key) || record[key] === undefined) continue;
    const instead = OTHER_NAMES[key];
    problems.push(
      instead === undefined || !fields.includes(instead)
        ? `${JSON.stringify(key)} is not an option (known: ${fields.join(', ')})`
        : `${JSON.stringify(key)} is not an option: did you mean "${instead}"?`,
    );
  }
  const { origins } = record;
  if (
    origins !== undefined &&
    origins !== '*' &&
    !(Array.isArray(origins) && origins.every((o) => typeof o === 'string'))
  ) {
    problems.push(`origins: must be "*" or an array of origin strings, got ${show(origins)}`);
  }
  for (const field of LIST_FIELDS) {
    const list = record[field];
    if (list !== undefined && !(Array.isArray(list) && list.every((v) => typeof v === 'string'))) {
      problems.push(`${field}: must be an array of strings, got ${show(list)}`);
    }
  }
  for (const field of ['credentials', 'allowInsecureOrigins']) {
    const flag = record[field];
    if (flag !== undefined && typeof flag !== 'boolean') {
      problems.push(`${field}: must be true or false, got ${show(flag)}`);
    }
  }
  if (record.maxAge !== undefined && typeof record.maxAge !== 'number') {
    problems.push(`maxAge: must be a number of seconds, got ${show(record.maxAge)}`);
  }
  if (record.mode !== undefined && !MODES.includes(record.mode as StrictCorsMode)) {
    problems.push(`mode: must be one of ${MODES.join(', ')}, got ${show(record.mode)}`);
  }
  for (const field of ['onDecision', 'replaceHeaders']) {
    if (record[field] !== undefined && typeof record[field] !== 'function') {
      problems.push(`${field}: must be a function, got ${show(record[field])}`);
    }
  }
  return problems;
}

function show(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
