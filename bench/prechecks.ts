import { IncomingHttpHeaders } from 'node:http';
import { ProbeResponse, parseJson, probe } from './http-probe';
import { ALLOWED_ORIGIN, SCENARIOS, Scenario, ScenarioId } from './scenarios';
import { Target } from './targets';

export interface CheckOutcome {
  name: 'health' | ScenarioId;
  passed: boolean;
  /** HTTP status, or undefined when the request itself failed. */
  status?: number;
  /** Every Access-Control-* header in the answer, lower-cased name: value. */
  corsHeaders: Record<string, string>;
  problems: string[];
}

export interface PrecheckReport {
  passed: boolean;
  checks: CheckOutcome[];
}

function corsHeadersOf(headers: IncomingHttpHeaders): Record<string, string> {
  const cors: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('access-control-') && value !== undefined) {
      cors[name] = Array.isArray(value) ? value.join(', ') : value;
    }
  }
  return cors;
}

/** What each answer must look like; each returned string is one way it falls short. */
function problemsWith(name: CheckOutcome['name'], res: ProbeResponse, target: Target): string[] {
  const cors = corsHeadersOf(res.headers);
  const allowOrigin = cors['access-control-allow-origin'];
  const problems: string[] = [];
  const expectAllowOrigin = (): void => {
    if (allowOrigin !== ALLOWED_ORIGIN) {
      problems.push(`Access-Control-Allow-Origin is ${allowOrigin ?? 'missing'}`);
    }
    if (cors['access-control-allow-credentials'] !== 'true') {
      problems.push('Access-Control-Allow-Credentials: true is missing');
    }
  };
  switch (name) {
    case 'health': {
      const body = parseJson(res.body);
      const ok = typeof body === 'object' && body !== null && 'status' in body;
      if (res.status !== 200 || !ok || body.status !== 'ok')
        problems.push('expected 200 {"status":"ok"}');
      break;
    }
    case 'allowed': {
      const body = parseJson(res.body);
      const ok = typeof body === 'object' && body !== null && 'greeting' in body;
      if (res.status !== 200 || !ok || body.greeting !== 'Hola, Alice!') {
        problems.push('expected 200 with greeting "Hola, Alice!"');
      }
      expectAllowOrigin();
      break;
    }
    case 'preflight':
      if (res.status < 200 || res.status > 299) problems.push('expected 2xx (204)');
      expectAllowOrigin();
      break;
    case 'disallowed':
      if (target.disallowed === 'refused-403') {
        if (res.status !== 403) problems.push('expected 403');
        if (Object.keys(cors).length > 0) problems.push('expected no Access-Control-* header');
      } else if (allowOrigin !== undefined) {
        problems.push('grants the disallowed origin');
      }
      break;
  }
  return problems;
}

async function check(
  port: number,
  name: CheckOutcome['name'],
  scenario: Scenario | undefined,
  target: Target,
): Promise<CheckOutcome> {
  try {
    const res = await probe(port, scenario ?? { method: 'GET', path: '/health', headers: {} });
    const problems = problemsWith(name, res, target);
    return {
      name,
      passed: problems.length === 0,
      status: res.status,
      corsHeaders: corsHeadersOf(res.headers),
      problems,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { name, passed: false, corsHeaders: {}, problems: [`request failed: ${message}`] };
  }
}

/**
 * A target is only loaded once it answers every scenario correctly: throughput of a server that
 * skips CORS, or errors, would be meaningless next to the others.
 */
export async function runPrechecks(port: number, target: Target): Promise<PrecheckReport> {
  const checks = [await check(port, 'health', undefined, target)];
  for (const scenario of SCENARIOS) checks.push(await check(port, scenario.id, scenario, target));
  return { passed: checks.every((c) => c.passed), checks };
}
