import { jsonLogLines, runService, startService } from './helpers/spawn-service';

/** Every configuration cors-notes.md says must stop the process, spawned for real. */
describe('startup refuses bad CORS configuration (spawned dist/main.js)', () => {
  const cases: Array<[Record<string, string>, string]> = [
    [
      { CORS_ALLOWED_ORIGINS: '*', CORS_ALLOW_CREDENTIALS: 'true' },
      'CORS_ALLOWED_ORIGINS: "*" cannot be combined with CORS_ALLOW_CREDENTIALS=true',
    ],
    [{ CORS_ALLOWED_ORIGINS: 'null' }, 'CORS_ALLOWED_ORIGINS: "null" is never allowed'],
    [
      { CORS_ALLOWED_ORIGINS: 'ftp://files.example.com' },
      'CORS_ALLOWED_ORIGINS: "ftp://files.example.com" must use http or https',
    ],
    [
      { CORS_ALLOWED_ORIGINS: 'https://app.example.com/' },
      'CORS_ALLOWED_ORIGINS: "https://app.example.com/" must not end with "/"',
    ],
    [
      { CORS_ALLOWED_ORIGINS: 'https://app.example.com/api' },
      'CORS_ALLOWED_ORIGINS: "https://app.example.com/api" must not contain a path',
    ],
    [
      { CORS_ALLOWED_ORIGINS: 'https://app.example.com?a=1' },
      'CORS_ALLOWED_ORIGINS: "https://app.example.com?a=1" must not contain a query',
    ],
    [
      { CORS_ALLOWED_ORIGINS: 'https://app.example.com#x' },
      'CORS_ALLOWED_ORIGINS: "https://app.example.com#x" must not contain a fragment',
    ],
    [
      { CORS_ALLOWED_ORIGINS: 'https://me@app.example.com' },
      'CORS_ALLOWED_ORIGINS: "https://me@app.example.com" must not contain userinfo',
    ],
    [
      { CORS_ALLOWED_ORIGINS: 'https://app.example.com:443' },
      'CORS_ALLOWED_ORIGINS: "https://app.example.com:443" must not name the default port :443',
    ],
    [
      { CORS_ALLOWED_ORIGINS: 'http://app.example.com:80' },
      'CORS_ALLOWED_ORIGINS: "http://app.example.com:80" must not name the default port :80',
    ],
    [
      { CORS_ALLOWED_ORIGINS: 'https://app.example.com:99999' },
      'CORS_ALLOWED_ORIGINS: "https://app.example.com:99999" has an invalid port "99999"',
    ],
    [
      { CORS_ALLOWED_ORIGINS: 'https://App.example.com' },
      'CORS_ALLOWED_ORIGINS: "https://App.example.com" must be lowercase',
    ],
    [
      { CORS_ALLOWED_ORIGINS: 'https://bücher.example' },
      'CORS_ALLOWED_ORIGINS: "https://bücher.example" must be ASCII',
    ],
    [
      { CORS_ALLOWED_ORIGINS: 'https://a.*.example.com' },
      'CORS_ALLOWED_ORIGINS: "https://a.*.example.com" may only use "*" as a whole leading label',
    ],
    [
      { CORS_ALLOWED_ORIGINS: 'https://*app.example.com' },
      'CORS_ALLOWED_ORIGINS: "https://*app.example.com" may only use "*" as a whole leading label',
    ],
    [
      { CORS_ALLOWED_ORIGINS: 'https://*.*.example.com' },
      'CORS_ALLOWED_ORIGINS: "https://*.*.example.com" may only use "*" as a whole leading label',
    ],
    [
      { CORS_ALLOWED_ORIGINS: 'https://*' },
      'CORS_ALLOWED_ORIGINS: "https://*" may only use "*" as a whole leading label',
    ],
    [
      { CORS_ALLOWED_ORIGINS: 'https://*.com' },
      'CORS_ALLOWED_ORIGINS: "https://*.com" would match every site under the public suffix "com"',
    ],
    [
      { CORS_ALLOWED_ORIGINS: 'https://*.co.uk' },
      'CORS_ALLOWED_ORIGINS: "https://*.co.uk" would match every site under the public suffix "co.uk"',
    ],
    [
      { CORS_ALLOWED_ORIGINS: 'https://*.github.io' },
      'CORS_ALLOWED_ORIGINS: "https://*.github.io" would match every site under the public suffix "github.io"',
    ],
    [
      { CORS_ALLOWED_ORIGINS: '^https://.*\\.example\\.com$' },
      'CORS_ALLOWED_ORIGINS: "^https://.*\\.example\\.com$" looks like a regular expression',
    ],
    [
      { CORS_ALLOWED_ORIGINS: '/example\\.com$/' },
      'CORS_ALLOWED_ORIGINS: "/example\\.com$/" looks like a regular expression',
    ],
    [
      { CORS_ALLOWED_ORIGINS: 'http://app.example.com', CORS_ALLOW_CREDENTIALS: 'true' },
      'CORS_ALLOWED_ORIGINS: "http://app.example.com" is plain http with CORS_ALLOW_CREDENTIALS=true; use https or set CORS_ALLOW_INSECURE_ORIGINS=true',
    ],
    [{ NODE_ENV: 'production' }, 'CORS_ALLOWED_ORIGINS is required when NODE_ENV=production'],
    [
      { CORS_ALLOW_CREDENTIALS: 'yes' },
      'CORS_ALLOW_CREDENTIALS must be "true" or "false", got "yes"',
    ],
    [{ CORS_MAX_AGE: '-5' }, 'CORS_MAX_AGE must be an integer 0-86400, got "-5"'],
    [
      { CORS_ALLOWED_METHODS: 'GET,del ete' },
      'CORS_ALLOWED_METHODS: "del ete" is not a valid method',
    ],
    [
      { CORS_ALLOWED_HEADERS: 'Content-Type,X Bad' },
      'CORS_ALLOWED_HEADERS: "X Bad" is not a valid header name',
    ],
  ];

  it.each(cases)('%j → exit 1: %s', async (env, message) => {
    const result = await runService(env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Invalid configuration: ${message}`);
    expect(result.stdout).not.toContain('listening on');
  });

  it('starts in production with a valid allowlist and warns about loopback entries', async () => {
    const service = await startService({
      NODE_ENV: 'production',
      CORS_ALLOWED_ORIGINS: 'https://app.example.com,http://localhost:1234',
    });
    try {
      await service.waitForOutput('listening on');
      const lines = jsonLogLines(service.stdout());
      const started = lines.find((line) => line.msg.includes(' listening on '));
      expect(started?.msg).toContain(`listening on ${service.url}`);
      expect(started).toMatchObject({
        level: 'info',
        cors: { origins: ['https://app.example.com', 'http://localhost:1234'] },
      });
      expect(lines).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          msg: 'CORS_ALLOWED_ORIGINS: "http://localhost:1234" is a loopback origin in production',
        }),
      );
    } finally {
      service.kill();
    }
  });
});
