import { CompiledCorsPolicy } from './compiled-policy';
import type { HeaderList, ResolvedPolicyOptions } from './options';
import { buildAllowlist, OriginEntry, parseOriginEntry } from './origin-allowlist';

function policy(
  origins: string[] | '*',
  overrides: Partial<ResolvedPolicyOptions> = {},
): CompiledCorsPolicy {
  const entries =
    origins === '*'
      ? []
      : origins.map((o) => (parseOriginEntry(o) as { entry: OriginEntry }).entry);
  return new CompiledCorsPolicy({
    allowlist: origins === '*' ? { kind: 'any' } : buildAllowlist(entries),
    credentials: false,
    methods: ['GET', 'HEAD', 'POST'],
    allowedHeaders: ['content-type'],
    exposedHeaders: [],
    maxAge: 60,
    ...overrides,
  });
}

const headers = (list: HeaderList) => Object.fromEntries(list);
const APP = 'https://app.example.com';

describe('CorsPolicy.decide (actual requests)', () => {
  it('no Origin: not CORS, Vary: Origin only', () => {
    expect(policy([APP]).decide({ origins: undefined })).toEqual({
      kind: 'not-cors',
      headers: [['Vary', 'Origin']],
    });
  });

  it('no Origin under `*`: still `*` (one response for everyone), and no Vary needed', () => {
    expect(policy('*').decide({ origins: undefined })).toEqual({
      kind: 'not-cors',
      headers: [['Access-Control-Allow-Origin', '*']],
    });
  });

  it('Sec-Fetch-Site: same-origin is not CORS, whatever the Origin', () => {
    const decision = policy([APP]).decide({
      origins: ['https://api.example.com'],
      fetchSite: 'same-origin',
    });
    expect(decision.kind).toBe('not-cors');
    // No Allow-Origin, so a cache must key on Sec-Fetch-Site too: a client that forges it must
    // not leave a header-less copy for the browsers of that origin.
    expect(decision.headers).toEqual([['Vary', 'Origin, Sec-Fetch-Site']]);
  });

  it('same-site or cross-site requests are still checked', () => {
    for (const fetchSite of ['same-site', 'cross-site', 'none']) {
      expect(policy([APP]).decide({ origins: ['https://evil.example'], fetchSite }).kind).toBe(
        'refused',
      );
    }
  });

  it('an allowed origin gets itself back, Vary: Origin, and no credentials by default', () => {
    const decision = policy([APP]).decide({ origins: [APP] });
    expect(decision.kind).toBe('allowed');
    expect(headers(decision.headers)).toEqual({
      'Access-Control-Allow-Origin': APP,
      Vary: 'Origin',
    });
  });

  it('credentials and exposed headers when configured', () => {
    const decision = policy([APP], {
      credentials: true,
      exposedHeaders: ['X-Request-Id', 'ETag'],
    }).decide({
      origins: [APP],
    });
    expect(headers(decision.headers)).toEqual({
      'Access-Control-Allow-Origin': APP,
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Expose-Headers': 'X-Request-Id, ETag',
      Vary: 'Origin',
    });
  });

  it('`*` answers `*` and never sends credentials', () => {
    const decision = policy('*').decide({ origins: ['https://anyone.example'] });
    expect(headers(decision.headers)).toEqual({ 'Access-Control-Allow-Origin': '*' });
  });

  it.each([
    [['https://evil.example'], 'origin_not_allowed', 'origin "https://evil.example" not allowed'],
    [['null'], 'null_origin', 'origin "null" not allowed'],
    [[''], 'origin_not_allowed', 'origin "" not allowed'],
    [[APP, APP], 'multiple_origins', '2 Origin values'],
    [[APP, 'https://evil.example'], 'multiple_origins', '2 Origin values'],
    [[], 'origin_not_allowed', 'origin missing'],
  ])('refuses %j (%s: %s) with Vary but no Access-Control-* header', (origins, code, reason) => {
    const decision = policy([APP]).decide({ origins });
    expect(decision).toEqual({ kind: 'refused', code, reason, headers: [['Vary', 'Origin']] });
  });

  it('refuses null, empty, over-long and repeated origins even under `*`, with Vary: Origin only', () => {
    for (const origins of [['null'], [''], [APP, APP], [`https://${'a'.repeat(400)}.example`]]) {
      const decision = policy('*').decide({ origins });
      expect(decision.kind).toBe('refused');
      // A refusal is not what other origins get: a shared cache must not serve it to them.
      expect(decision.headers).toEqual([['Vary', 'Origin']]);
    }
  });

  it('shortens hostile values in the reason', () => {
    const decision = policy([APP]).decide({ origins: [`https://${'a'.repeat(10_000)}`] });
    expect(decision.kind === 'refused' && decision.reason.length).toBeLessThan(150);
  });
});

describe('CorsPolicy.decidePreflight', () => {
  const preflight = { origins: [APP], requestMethod: 'POST', requestHeaders: 'content-type' };

  it('answers an allowed preflight with every header', () => {
    const decision = policy([APP], { credentials: true }).decidePreflight(preflight);
    expect(decision.kind).toBe('allowed');
    expect(headers(decision.headers)).toEqual({
      'Access-Control-Allow-Origin': APP,
      'Access-Control-Allow-Methods': 'GET, HEAD, POST',
      'Access-Control-Allow-Headers': 'content-type',
      'Access-Control-Max-Age': '60',
      'Access-Control-Allow-Credentials': 'true',
      Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    });
  });

  it('compares requested header names case-insensitively and accepts several', () => {
    const p = policy([APP], { allowedHeaders: ['content-type', 'x-request-id'] });
    expect(
      p.decidePreflight({ ...preflight, requestHeaders: 'Content-Type, X-Request-ID' }).kind,
    ).toBe('allowed');
    expect(
      p.decidePreflight({ ...preflight, requestHeaders: 'content-type,x-request-id' }).kind,
    ).toBe('allowed');
    expect(p.decidePreflight({ ...preflight, requestHeaders: undefined }).kind).toBe('allowed');
  });

  it('sends Max-Age 0 when configured', () => {
    const decision = policy([APP], { maxAge: 0 }).decidePreflight(preflight);
    expect(headers(decision.headers)['Access-Control-Max-Age']).toBe('0');
  });

  it.each([
    [
      { origins: ['https://evil.example'] },
      'origin_not_allowed',
      'origin "https://evil.example" not allowed',
    ],
    [{ origins: ['null'] }, 'null_origin', 'origin "null" not allowed'],
    [{ origins: [APP, APP] }, 'multiple_origins', '2 Origin values'],
    [{ requestMethod: 'DELETE' }, 'method_not_allowed', 'method "DELETE" not allowed'],
    [{ requestMethod: 'post' }, 'method_not_allowed', 'method "post" not allowed'],
    [
      { requestHeaders: 'content-type, x-secret' },
      'header_not_allowed',
      'header "x-secret" not allowed',
    ],
    [
      { requestHeaders: 'x'.repeat(5000) },
      'request_headers_too_long',
      'request headers list too long',
    ],
  ])('refuses %j: %s (%s)', (change, code, reason) => {
    const decision = policy([APP]).decidePreflight({ ...preflight, ...change });
    expect(decision.kind).toBe('refused');
    expect(decision.kind === 'refused' && decision.code).toBe(code);
    expect(decision.kind === 'refused' && decision.reason).toBe(reason);
    expect(decision.headers.some(([name]) => name.startsWith('Access-Control-'))).toBe(false);
  });

  it('a public policy still checks method and headers', () => {
    expect(policy('*').decidePreflight({ ...preflight, origins: ['https://x.example'] }).kind).toBe(
      'allowed',
    );
    expect(policy('*').decidePreflight({ ...preflight, requestMethod: 'PUT' }).kind).toBe(
      'refused',
    );
  });
});

describe('CorsPolicy decision caches', () => {
  const pattern = () => policy(['https://*.tenant.example.com'], { credentials: true });
  const preflight = (origin: string, requestHeaders?: string) => ({
    origins: [origin],
    requestMethod: 'POST',
    requestHeaders,
  });

  it('gives a cached decision equal to a fresh policy’s, for actual requests and preflights', () => {
    const warm = pattern();
    for (let i = 0; i < 3; i++) {
      warm.decide({ origins: ['https://a.tenant.example.com'] });
      warm.decidePreflight(preflight('https://a.tenant.example.com', 'content-type'));
      warm.decidePreflight(preflight('https://a.tenant.example.com', 'content-type, x-secret'));
    }
    const fresh = pattern();
    expect(warm.decide({ origins: ['https://a.tenant.example.com'] })).toEqual(
      fresh.decide({ origins: ['https://a.tenant.example.com'] }),
    );
    expect(warm.decidePreflight(preflight('https://a.tenant.example.com', 'content-type'))).toEqual(
      fresh.decidePreflight(preflight('https://a.tenant.example.com', 'content-type')),
    );
    expect(
      warm.decidePreflight(preflight('https://a.tenant.example.com', 'content-type, x-secret')),
    ).toMatchObject({ kind: 'refused', code: 'header_not_allowed' });
  });

  it('stays right past its size bound: each origin gets its own Access-Control-Allow-Origin', () => {
    const p = pattern();
    for (let i = 0; i < 600; i++) {
      const origin = `https://t${i}.tenant.example.com`;
      const decision = p.decide({ origins: [origin] });
      expect(headers(decision.headers)['Access-Control-Allow-Origin']).toBe(origin);
      const answer = p.decidePreflight(preflight(origin, `content-type${' '.repeat(i % 7)}`));
      expect(headers(answer.headers)['Access-Control-Allow-Origin']).toBe(origin);
    }
    expect(p.decide({ origins: ['https://evil.example'] }).kind).toBe('refused');
  });
});
