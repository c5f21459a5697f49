import { ALLOWED_ORIGINS } from './servers/shared/cors-policy';

/** An origin outside the allowlist, shaped like a real cross-site attacker's page. */
export const DISALLOWED_ORIGIN = 'https://evil.example';
export const ALLOWED_ORIGIN = ALLOWED_ORIGINS[0];

/** One HTTP request as wrk and the pre-checks send it. */
export interface RequestShape {
  method: 'POST' | 'OPTIONS';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export type ScenarioId = 'allowed' | 'preflight' | 'disallowed';

export interface Scenario extends RequestShape {
  id: ScenarioId;
  label: string;
}

const GREET_BODY = JSON.stringify({ name: 'Alice', lang: 'es' });
const JSON_FROM = (origin: string) => ({ 'content-type': 'application/json', origin });

/** The three request shapes measured in every round; the pre-checks send exactly these too. */
export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'allowed',
    label: '(a) POST /greet, allowed origin',
    method: 'POST',
    path: '/greet',
    headers: JSON_FROM(ALLOWED_ORIGIN),
    body: GREET_BODY,
  },
  {
    id: 'preflight',
    label: '(b) OPTIONS /greet preflight, allowed origin',
    method: 'OPTIONS',
    path: '/greet',
    headers: {
      origin: ALLOWED_ORIGIN,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    },
  },
  {
    id: 'disallowed',
    label: '(c) POST /greet, disallowed origin',
    method: 'POST',
    path: '/greet',
    headers: JSON_FROM(DISALLOWED_ORIGIN),
    body: GREET_BODY,
  },
];

/**
 * The mixed load of the memory check, in turn across each wrk thread's requests: (a), (b), (c)
 * and an allowed POST whose JSON body breaks off (a 400 on every target).
 */
export const MIXED_SHAPES: readonly RequestShape[] = [
  ...SCENARIOS.map(({ method, path, headers, body }): RequestShape => ({
    method,
    path,
    headers,
    body,
  })),
  { method: 'POST', path: '/greet', headers: JSON_FROM(ALLOWED_ORIGIN), body: '{"name":' },
];
