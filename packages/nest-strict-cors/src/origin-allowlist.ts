import { parse as parseDomain } from 'tldts';

/**
 * The security core: which `Origin` values are allowed. Plain functions, no Nest.
 *
 * A browser's Origin is always the canonical serialisation `scheme://host[:port]` (lowercase,
 * punycode, no default port, no path) or `null`. So the request value is compared byte for byte
 * with canonical allowlist entries and is never parsed, lowercased or decoded first: `new URL()`
 * on a request value is how "https://evil.com@app.example.com" becomes "https://app.example.com".
 */

/** scheme (8) + a 253-byte host + port (6) fits well under this; anything longer is refused unread. */
export const MAX_ORIGIN_LENGTH = 326;

/** Exactly one DNS label: what `*` stands for in `https://*.example.com`. */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const SCHEME_PREFIX = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
/** Regex syntax; `.*` only when not a whole label (`https://a.*.example.com` gets a better message). */
const REGEX_LOOKING = /[\\^$|()+{}]|\.\*(?!\.)|^\//;
const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: '80', https: '443' };

export type OriginEntry =
  | { readonly kind: 'exact'; readonly origin: string; readonly loopback: boolean }
  /** `base` is the entry without `*.`: `https://*.example.com:8443` → `https://example.com:8443`. */
  | { readonly kind: 'subdomain'; readonly pattern: string; readonly base: string };

export type OriginAllowlist =
  | { readonly kind: 'any' }
  | {
      readonly kind: 'list';
      readonly exact: ReadonlySet<string>;
      readonly subdomainBases: ReadonlySet<string>;
    };

export type EntryParseResult =
  | { readonly ok: true; readonly entry: OriginEntry }
  | { readonly ok: false; readonly problem: string };

/**
 * Whether `origin` (the raw header value) is allowed. Cost is bounded by MAX_ORIGIN_LENGTH: two
 * Set lookups and one fixed, anchored label regex — nothing built from configuration.
 */
export function isOriginAllowed(allowlist: OriginAllowlist, origin: string): boolean {
  if (origin.length > MAX_ORIGIN_LENGTH) return false;
  if (allowlist.kind === 'any') return true;
  if (allowlist.exact.has(origin)) return true;
  if (allowlist.subdomainBases.size === 0) return false;
  const schemeEnd = origin.indexOf('://');
  if (schemeEnd < 0) return false;
  const labelStart = schemeEnd + 3;
  const dot = origin.indexOf('.', labelStart);
  if (dot < 0) return false;
  if (!LABEL.test(origin.slice(labelStart, dot))) return false;
  return allowlist.subdomainBases.has(origin.slice(0, labelStart) + origin.slice(dot + 1));
}

export function buildAllowlist(entries: readonly OriginEntry[]): OriginAllowlist {
  const exact = new Set<string>();
  const subdomainBases = new Set<string>();
  for (const entry of entries) {
    if (entry.kind === 'exact') exact.add(entry.origin);
    else subdomainBases.add(entry.base);
  }
  return { kind: 'list', exact, subdomainBases };
}

/**
 * Validates one configured entry. Entries must already be canonical — the exact text a browser
 * sends — because matching is byte for byte; the problem text says what to change.
 */
export function parseOriginEntry(entry: string): EntryParseResult {
  const problem = findEntryProblem(entry);
  if (problem !== undefined) return { ok: false, problem };
  if (entry.includes('*')) {
    const schemeEnd = entry.indexOf('://') + 3;
    return {
      ok: true,
      entry: {
        kind: 'subdomain',
        pattern: entry,
        base: entry.slice(0, schemeEnd) + entry.slice(schemeEnd + 2),
      },
    };
  }
  return { ok: true, entry: { kind: 'exact', origin: entry, loopback: isLoopbackOrigin(entry) } };
}

/** http(s)://localhost, *.localhost, 127.0.0.0/8 or [::1], any port. */
export function isLoopbackOrigin(origin: string): boolean {
  const host = hostOf(origin);
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}

export function schemeOf(origin: string): string {
  return origin.slice(0, origin.indexOf(':'));
}

function hostOf(origin: string): string {
  const authority = origin.slice(origin.indexOf('://') + 3);
  if (authority.startsWith('[')) return authority.slice(0, authority.indexOf(']') + 1);
  const colon = authority.lastIndexOf(':');
  return colon < 0 ? authority : authority.slice(0, colon);
}

function portOf(origin: string): string | undefined {
  const authority = origin.slice(origin.indexOf('://') + 3);
  const afterHost = authority.startsWith('[')
    ? authority.slice(authority.indexOf(']') + 1)
    : authority;
  const colon = afterHost.lastIndexOf(':');
  return colon < 0 ? undefined : afterHost.slice(colon + 1);
}

function findEntryProblem(entry: string): string | undefined {
  if (entry === 'null') {
    return 'is never allowed: sandboxed iframes, file: pages and redirects all send "null"';
  }
  if (entry === '*') return 'must be the only entry when used (it allows every origin)';
  // Two origins in one entry: the separator is a comma, whatever other tools use.
  const separator = /[;\s]/.exec(entry)?.[0];
  if (separator !== undefined && entry.split('://').length > 2) {
    const shown = separator === ';' ? '";"' : 'a space';
    return `contains ${shown} between two origins: separate origins with commas, e.g. "https://a.example.com,https://b.example.com"`;
  }
  if (entry.includes(';')) return 'must not contain ";" (separate origins with commas)';
  if (entry.length > MAX_ORIGIN_LENGTH) return `is longer than ${MAX_ORIGIN_LENGTH} characters`;
  if (/\s/.test(entry)) return 'must not contain spaces';
  if (/[^\x21-\x7e]/.test(entry)) {
    return 'must be ASCII: write internationalised domain names in punycode (xn--…)';
  }
  if (REGEX_LOOKING.test(entry)) {
    return 'looks like a regular expression: list exact origins, or patterns like https://*.example.com';
  }
  const scheme = SCHEME_PREFIX.exec(entry)?.[1];
  if (scheme === undefined) return 'must be an origin like "https://app.example.com"';
  if (scheme.toLowerCase() !== 'http' && scheme.toLowerCase() !== 'https') {
    return `must use http or https, not "${scheme}"`;
  }
  if (entry !== entry.toLowerCase()) {
    return `must be lowercase, as browsers send it ("${entry.toLowerCase()}")`;
  }
  const rest = entry.slice(scheme.length + 3);
  if (rest.includes('@')) return 'must not contain userinfo ("user@")';
  if (rest.includes('#')) return 'must not contain a fragment ("#…")';
  if (rest.includes('?')) return 'must not contain a query ("?…")';
  if (rest.endsWith('/') && rest.indexOf('/') === rest.length - 1) return 'must not end with "/"';
  if (rest.includes('/')) return 'must not contain a path: an origin is scheme://host[:port]';
  if (rest === '') return 'has no host';
  const port = portOf(entry);
  if (port !== undefined && port === DEFAULT_PORTS[scheme]) {
    return `must not name the default port :${port} (browsers omit it)`;
  }
  if (port !== undefined && !/^[1-9]\d{0,4}$/.test(port)) return `has an invalid port "${port}"`;
  if (port !== undefined && Number(port) > 65535) return `has an invalid port "${port}"`;
  if (rest.includes('*')) return findPatternProblem(scheme, rest);
  return findCanonicalProblem(entry);
}

function findPatternProblem(scheme: string, authority: string): string | undefined {
  if (!authority.startsWith('*.') || authority.indexOf('*', 1) >= 0) {
    return 'may only use "*" as a whole leading label, as in https://*.example.com';
  }
  const base = `${scheme}://${authority.slice(2)}`;
  const host = hostOf(base);
  const labelProblem = findHostNameProblem(`x.${host}`);
  if (labelProblem !== undefined) return labelProblem.replace('"x.', '"*.');
  const parsed = parseDomain(host, { allowPrivateDomains: true });
  if (parsed.isIp === true || host.startsWith('[')) {
    return 'needs a domain name after "*.", not an IP address';
  }
  if (parsed.publicSuffix === host || parsed.domain === null) {
    return `would match every site under the public suffix "${host}"`;
  }
  // Check the rest with a sample label in place of "*".
  const sample = `${scheme}://x.${authority.slice(2)}`;
  const problem = findCanonicalProblem(sample);
  return problem === undefined ? undefined : problem.replace('x.', '*.');
}

function findCanonicalProblem(origin: string): string | undefined {
  let canonical: string;
  try {
    canonical = new URL(origin).origin;
  } catch {
    return 'is not a valid origin';
  }
  if (canonical !== origin) return `is not in canonical form: browsers send "${canonical}"`;
  return findHostNameProblem(hostOf(origin));
}

/**
 * The URL parser takes host names DNS cannot hold: an empty label (`app..example.com`) or one
 * longer than 63 characters. No page is ever served from such a host, so no browser sends that
 * origin: an entry naming one is a typo that would otherwise pass silently.
 */
function findHostNameProblem(host: string): string | undefined {
  if (host.startsWith('[') || /^[\d.]+$/.test(host)) return undefined;
  // A trailing dot (the fully qualified form) is a distinct, valid origin.
  const labels = (host.endsWith('.') ? host.slice(0, -1) : host).split('.');
  if (labels.some((label) => label === '')) {
    return `has an empty label in its host "${host}": no browser can send it`;
  }
  if (labels.some((label) => label.length > 63)) {
    return `has a host label longer than 63 characters: no browser can send it`;
  }
  return undefined;
}
