import { RawEnv } from './env-reader';

/** Prefixes only this service's variables use: any other name under them is a mistake. */
const OUR_PREFIXES = ['CORS_', 'METRICS_', 'BODY_', 'RATE_LIMIT_'];

/**
 * Variables platforms set for us, whatever their names: Kubernetes service links
 * (`<SVC>_SERVICE_HOST`, `<SVC>_SERVICE_PORT_<NAME>`, `<SVC>_PORT=tcp://…`,
 * `<SVC>_PORT_<n>_TCP_ADDR`, …) for every Service in the namespace — a Service another team calls
 * `metrics-server` must not stop this pod — and Marathon's `PORT0`, `PORTS`, `PORT_<NAME>`.
 */
function isPlatformVariable(name: string, value: string | undefined): boolean {
  return (
    /_SERVICE_(HOST|PORT)(_[A-Z0-9_]+)?$/.test(name) ||
    /_PORT_\d+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?$/.test(name) ||
    (/_PORT$/.test(name) && /^(tcp|udp|sctp):\/\//.test(value ?? '')) ||
    /^PORT(S|\d+|_[A-Z0-9_]+)$/.test(name)
  );
}

export interface UnknownVariable {
  readonly name: string;
  /** The known variable it most likely meant, if one is close. */
  readonly suggestion?: string;
}

/**
 * Variables that look like ours but are not: under one of our prefixes, the same as a known name
 * but for case and underscores (`LOGLEVEL`, `cors_max_age`), or one or two edits away from one
 * (`CORS_ALLOWED_ORIGIN`). Unrelated variables (PATH, HOME, HOSTNAME, a platform's own) never
 * match: short names allow a single edit, and only names of eight characters or more allow two.
 */
export function findUnknownVariables(env: RawEnv, known: readonly string[]): UnknownVariable[] {
  const knownSet = new Set(known);
  const found: UnknownVariable[] = [];
  for (const name of Object.keys(env).sort()) {
    if (knownSet.has(name) || isPlatformVariable(name, env[name])) continue;
    const upper = name.toUpperCase();
    const prefix = OUR_PREFIXES.find((candidate) => upper.startsWith(candidate));
    const suggestion =
      closestKnown(name, known) ?? (prefix && sameWordUnderPrefix(upper, prefix, known));
    if (suggestion || prefix !== undefined) {
      found.push(suggestion ? { name, suggestion } : { name });
    }
  }
  return found;
}

/** The message for one unknown variable, naming it and what it probably meant. */
export function describeUnknown({ name, suggestion }: UnknownVariable): string {
  return suggestion === undefined
    ? `${name} is not a variable this service reads (the README's configuration table lists them)`
    : `${name} is not a variable this service reads; did you mean ${suggestion}?`;
}

/**
 * Names other libraries use under our prefixes (`CORS_ORIGIN`, `CORS_METHODS`): the shortest known
 * name with the same prefix that contains the rest, singular or plural.
 */
function sameWordUnderPrefix(
  upper: string,
  prefix: string,
  known: readonly string[],
): string | undefined {
  const rest = squash(upper.slice(prefix.length)).replace(/S$/, '');
  if (rest.length < 4) return undefined;
  const matches = known.filter((name) => name.startsWith(prefix) && squash(name).includes(rest));
  // The closest: CORS_ORIGIN means CORS_ALLOWED_ORIGINS, not CORS_ALLOW_INSECURE_ORIGINS.
  return matches.sort((a, b) => a.length - b.length)[0];
}

function closestKnown(name: string, known: readonly string[]): string | undefined {
  const upper = name.toUpperCase();
  const squashed = squash(upper);
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    // Same letters, or the unit suffix forgotten (SHUTDOWN_TIMEOUT for SHUTDOWN_TIMEOUT_MS).
    if (squash(candidate) === squashed || candidate === `${upper}_MS`) return candidate;
    // The first word must be (nearly) the same: CORS_ENABLED is not a misspelt DOCS_ENABLED.
    // Short names (HOST, PORT) only match as typed, so HOSTS, POST or PORT0 are left alone.
    if (candidate.length < 6 || editDistance(firstWord(upper), firstWord(candidate), 1) > 1) {
      continue;
    }
    const allowed = Math.min(candidate.length, upper.length) >= 8 ? 2 : 1;
    const distance = editDistance(upper, candidate, allowed);
    if (distance <= allowed && (best === undefined || distance < best.distance)) {
      best = { name: candidate, distance };
    }
  }
  return best?.name;
}

function firstWord(name: string): string {
  return name.split('_', 1)[0];
}

function squash(name: string): string {
  return name.toUpperCase().replace(/[_-]/g, '');
}

/**
 * Damerau-Levenshtein (optimal string alignment) distance, giving up once it exceeds `limit`:
 * a transposition (`CORS_MAX_AEG`) counts as one edit.
 */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[i].push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, rows[i - 2][j - 2] + 1);
      }
      rows[i].push(value);
    }
  }
  return rows[a.length][b.length];
}
