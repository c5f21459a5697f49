import { RawEnv } from './env-reader';

/** Prefixes only this service's variables use: any other name under them is a mistake. */
const OUR_PREFIXES = ['CORS_', 'METRICS_', 'BODY_'];

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
    if (knownSet.has(name)) continue;
    const suggestion = closestKnown(name, known);
    const upper = name.toUpperCase();
    if (suggestion !== undefined || OUR_PREFIXES.some((prefix) => upper.startsWith(prefix))) {
      found.push(suggestion === undefined ? { name } : { name, suggestion });
    }
  }
  return found;
}

/** The message for one unknown variable, naming it and what it probably meant. */
export function describeUnknown({ name, suggestion }: UnknownVariable): string {
  return suggestion === undefined
    ? `${name} is not a variable this service reads (see .env.example)`
    : `${name} is not a variable this service reads; did you mean ${suggestion}?`;
}

function closestKnown(name: string, known: readonly string[]): string | undefined {
  const upper = name.toUpperCase();
  const squashed = squash(upper);
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    // Same letters, or the unit suffix forgotten (SHUTDOWN_TIMEOUT for SHUTDOWN_TIMEOUT_MS).
    if (squash(candidate) === squashed || candidate === `${upper}_MS`) return candidate;
    // The first word must be (nearly) the same: CORS_ENABLED is not a misspelt DOCS_ENABLED.
    if (editDistance(firstWord(upper), firstWord(candidate), 1) > 1) continue;
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
