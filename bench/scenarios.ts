import { ALLOWED_ORIGINS } from './servers/shared/cors-policy';

/** An origin outside the allowlist, shaped like a real cross-site attacker's page. */
export const DISALLOWED_ORIGIN = 'https://evil.example';
export const ALLOWED_ORIGIN = ALLOWED_ORIGINS[0];

export type ScenarioId = 'allowed' | 'preflight' | 'disallowed';

export interface Scenario {
  id: ScenarioId;
  label: string;
  method: 'POST' | 'OPTIONS';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const GREET_BODY = JSON.stringify({ name: 'Alice', lang: 'es' });

/** The three request shapes measured; the pre-checks send exactly these too. */
export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'allowed',
    label: '(a) POST /greet, allowed origin',
    method: 'POST',
    path: '/greet',
    headers: { 'content-type': 'application/json', origin: ALLOWED_ORIGIN },
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
    headers: { 'content-type': 'application/json', origin: DISALLOWED_ORIGIN },
    body: GREET_BODY,
  },
];
