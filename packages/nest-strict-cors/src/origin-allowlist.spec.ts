import fc from 'fast-check';
import {
  buildAllowlist,
  isLoopbackOrigin,
  isOriginAllowed,
  MAX_ORIGIN_LENGTH,
  OriginAllowlist,
  OriginEntry,
  parseOriginEntry,
} from './origin-allowlist';

function entry(value: string): OriginEntry {
  const result = parseOriginEntry(value);
  if (!result.ok) throw new Error(`${value}: ${result.problem}`);
  return result.entry;
}

function allowlist(...values: string[]): OriginAllowlist {
  return buildAllowlist(values.map(entry));
}

function problemOf(value: string): string | undefined {
  const result = parseOriginEntry(value);
  return result.ok ? undefined : result.problem;
}

describe('parseOriginEntry', () => {
  it.each([
    'https://app.example.com',
    'http://localhost:1234',
    'http://127.0.0.1:8080',
    'http://[::1]:3000',
    'https://xn--bcher-kva.example',
    'https://app.example.com:8443',
    'https://*.example.com',
    'https://*.example.co.uk',
    'https://*.foo.github.io',
    'https://*.example.com:8443',
    'https://app.example.com.',
    `https://${'a'.repeat(63)}.example.com`,
  ])('accepts %s', (value) => {
    expect(problemOf(value)).toBeUndefined();
  });

  it.each([
    ['null', 'is never allowed'],
    ['*', 'must be the only entry'],
    ['https://app.example.com/', 'must not end with "/"'],
    ['https://app.example.com/api', 'must not contain a path'],
    ['https://app.example.com?x=1', 'must not contain a query'],
    ['https://app.example.com#top', 'must not contain a fragment'],
    ['https://user@app.example.com', 'must not contain userinfo'],
    ['https://user:pw@app.example.com', 'must not contain userinfo'],
    ['ftp://app.example.com', 'must use http or https, not "ftp"'],
    ['file:///etc/passwd', 'must use http or https'],
    ['app.example.com', 'must be an origin like'],
    ['//app.example.com', 'looks like a regular expression'],
    [
      'https://App.Example.com',
      'must be lowercase, as browsers send it ("https://app.example.com")',
    ],
    ['HTTPS://app.example.com', 'must be lowercase'],
    ['https://bücher.example', 'must be ASCII'],
    ['https://app.example.com:443', 'must not name the default port :443'],
    ['http://app.example.com:80', 'must not name the default port :80'],
    ['https://app.example.com:0', 'has an invalid port "0"'],
    ['https://app.example.com:65536', 'has an invalid port "65536"'],
    ['https://app.example.com:08443', 'has an invalid port "08443"'],
    ['https://app.example.com:abc', 'has an invalid port "abc"'],
    ['https://app.example.com:', 'has an invalid port ""'],
    ['http://127.1', 'is not in canonical form: browsers send "http://127.0.0.1"'],
    ['https://app%2eexample.com', 'is not'],
    ['https://a.*.example.com', 'may only use "*" as a whole leading label'],
    ['https://*app.example.com', 'may only use "*" as a whole leading label'],
    ['https://*.*.example.com', 'may only use "*" as a whole leading label'],
    ['https://*', 'may only use "*" as a whole leading label'],
    ['*.example.com', 'must be an origin like'],
    ['https://*.com', 'would match every site under the public suffix "com"'],
    ['https://*.co.uk', 'would match every site under the public suffix "co.uk"'],
    ['https://*.github.io', 'would match every site under the public suffix "github.io"'],
    ['https://*.127.0.0.1', 'needs a domain name after "*.", not an IP address'],
    ['https://*.example.com:443', 'must not name the default port :443'],
    ['^https://.*\\.example\\.com$', 'looks like a regular expression'],
    ['https://(app|www).example.com', 'looks like a regular expression'],
    ['/example\\.com$/', 'looks like a regular expression'],
    ['https://.*.example.com', 'may only use "*" as a whole leading label'],
    ['https://.*', 'looks like a regular expression'],
    ['https://app .example.com', 'must not contain spaces'],
    [
      'https://a.example.com;https://b.example.com',
      'contains ";" between two origins: separate origins with commas',
    ],
    [
      'https://a.example.com; https://b.example.com',
      'contains ";" between two origins: separate origins with commas',
    ],
    [
      'https://a.example.com https://b.example.com',
      'contains a space between two origins: separate origins with commas',
    ],
    ['https://a.example.com;', 'must not contain ";" (separate origins with commas)'],
    ['https://', 'has no host'],
    ['https://app..example.com', 'has an empty label in its host "app..example.com"'],
    ['https://.example.com', 'has an empty label'],
    ['https://*.example..com', 'has an empty label in its host "*.example..com"'],
    [`https://${'a'.repeat(64)}.example.com`, 'has a host label longer than 63 characters'],
    [`https://${'a'.repeat(400)}.com`, 'is longer than'],
  ])('refuses %j: %s', (value, problem) => {
    expect(problemOf(value)).toContain(problem);
  });

  it('records the base of a subdomain pattern', () => {
    expect(entry('https://*.example.com:8443')).toEqual({
      kind: 'subdomain',
      pattern: 'https://*.example.com:8443',
      base: 'https://example.com:8443',
    });
  });
});

describe('isLoopbackOrigin', () => {
  it.each([
    ['http://localhost:1234', true],
    ['http://app.localhost', true],
    ['http://127.0.0.1:5000', true],
    ['http://127.8.9.10', true],
    ['http://[::1]:3000', true],
    ['http://localhost.example.com', false],
    ['http://128.0.0.1', false],
    ['https://app.example.com', false],
  ])('%s → %s', (origin, expected) => {
    expect(isLoopbackOrigin(origin)).toBe(expected);
  });
});

describe('isOriginAllowed', () => {
  const list = allowlist(
    'https://app.example.com',
    'http://localhost:1234',
    'https://*.tenant.example.net',
    'https://*.api.example.org:8443',
  );

  it.each([
    'https://app.example.com',
    'http://localhost:1234',
    'https://alice.tenant.example.net',
    'https://a.tenant.example.net',
    'https://a-b.tenant.example.net',
    'https://123.tenant.example.net',
    `https://${'a'.repeat(63)}.tenant.example.net`,
    'https://x.api.example.org:8443',
  ])('allows %s', (origin) => {
    expect(isOriginAllowed(list, origin)).toBe(true);
  });

  it.each([
    // exact entries: the classic prefix/suffix/substring bugs
    'https://app.example.com.evil.com',
    'https://evilapp.example.com',
    'https://app.example.comevil.com',
    'https://app.example.co',
    'https://pp.example.com',
    'http://app.example.com',
    'https://APP.example.com',
    'https://app.example.com/',
    'https://app.example.com.',
    'https://app.example.com:443',
    'https://app.example.com:8443',
    'https://evil.com@app.example.com',
    'https://app.example.com@evil.com',
    ' https://app.example.com',
    'https://app.example.com ',
    'https%3A%2F%2Fapp.example.com',
    'http://localhost:12345',
    'http://localhost:123',
    'http://localhost',
    'http://127.0.0.1:1234',
    'https://localhost:1234',
    'https://app.example.com, http://localhost:1234',
    'https://app.example.com,http://localhost:1234',
    'null',
    '',
    '*',
    // patterns: exactly one label in front of the base, same scheme, same port
    'https://tenant.example.net',
    'https://a.b.tenant.example.net',
    'https://.tenant.example.net',
    'https://-a.tenant.example.net',
    'https://a-.tenant.example.net',
    'https://a_b.tenant.example.net',
    'https://A.tenant.example.net',
    `https://${'a'.repeat(64)}.tenant.example.net`,
    'http://a.tenant.example.net',
    'https://a.tenant.example.net:8443',
    'https://a.tenant.example.net.evil.com',
    'https://atenant.example.net',
    'https://x.api.example.org',
    'https://x.api.example.org:8444',
    'https://*.tenant.example.net',
    'https://a.tenant.example.net/',
  ])('refuses %j', (origin) => {
    expect(isOriginAllowed(list, origin)).toBe(false);
  });

  it('refuses an over-long origin before matching, even with an allowed prefix', () => {
    const long = `https://${'a'.repeat(MAX_ORIGIN_LENGTH)}.tenant.example.net`;
    expect(isOriginAllowed(list, long)).toBe(false);
    expect(isOriginAllowed(list, `https://app.example.com${'x'.repeat(10_000)}`)).toBe(false);
  });

  it('allows everything but over-long values for the `*` policy', () => {
    expect(isOriginAllowed({ kind: 'any' }, 'https://anything.example')).toBe(true);
    expect(isOriginAllowed({ kind: 'any' }, `https://${'a'.repeat(MAX_ORIGIN_LENGTH)}`)).toBe(
      false,
    );
  });
});

describe('isOriginAllowed: property-based near misses', () => {
  const exactEntries = [
    'https://app.example.com',
    'http://localhost:1234',
    'https://shop.example.co.uk:8443',
  ];
  const patterns = ['https://*.tenant.example.net'];
  const list = allowlist(...exactEntries, ...patterns);
  const allowed = (origin: string) => isOriginAllowed(list, origin);
  /** What the allowlist truly grants; a near miss must never equal one of these. */
  const legitimately = (origin: string) =>
    exactEntries.includes(origin) ||
    /^https:\/\/[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.tenant\.example\.net$/.test(origin);

  const anEntry = fc.constantFrom(...exactEntries, 'https://alice.tenant.example.net');
  const junk = fc.string({ minLength: 1, maxLength: 12, unit: 'binary' });
  const params = { numRuns: 2000 };

  it('prefixing or suffixing an allowed origin never passes', () => {
    fc.assert(
      fc.property(anEntry, junk, junk, (origin, before, after) => {
        expect(allowed(before + origin)).toBe(legitimately(before + origin));
        expect(allowed(origin + after)).toBe(legitimately(origin + after));
      }),
      params,
    );
  });

  it('inserting, deleting or replacing a character never passes unless the result is legitimately allowed', () => {
    fc.assert(
      fc.property(anEntry, fc.nat(), junk, fc.nat({ max: 3 }), (origin, at, text, cut) => {
        const i = at % (origin.length + 1);
        const inserted = origin.slice(0, i) + text + origin.slice(i);
        const replaced = origin.slice(0, i) + text + origin.slice(i + cut);
        const deleted = origin.slice(0, i) + origin.slice(i + cut + 1);
        for (const candidate of [inserted, replaced, deleted]) {
          expect(allowed(candidate)).toBe(legitimately(candidate));
        }
      }),
      params,
    );
  });

  it('flipping the case of any letter never passes', () => {
    fc.assert(
      fc.property(anEntry, fc.nat(), (origin, at) => {
        const letters = [...origin].map((c, i) => [c, i] as const).filter(([c]) => /[a-z]/.test(c));
        const [c, i] = letters[at % letters.length];
        const flipped = origin.slice(0, i) + c.toUpperCase() + origin.slice(i + 1);
        expect(allowed(flipped)).toBe(false);
      }),
      params,
    );
  });

  it('another port or scheme never passes', () => {
    fc.assert(
      fc.property(
        anEntry,
        fc.integer({ min: 1, max: 65535 }),
        fc.constantFrom('http', 'https', 'ws', 'wss', 'ftp', 'HTTP'),
        (origin, port, scheme) => {
          const host = origin.replace(/^[a-z]+:\/\//, '').replace(/:\d+$/, '');
          const withPort = `${origin.split('://')[0]}://${host}:${port}`;
          expect(allowed(withPort)).toBe(legitimately(withPort));
          const withScheme = `${scheme}://${origin.split('://')[1]}`;
          expect(allowed(withScheme)).toBe(legitimately(withScheme));
        },
      ),
      params,
    );
  });

  it('random strings are allowed only when they are exactly what the list grants', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (origin) => {
        expect(allowed(origin)).toBe(legitimately(origin));
      }),
      params,
    );
  });
});
