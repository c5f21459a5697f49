import {
  resolveModuleOptions,
  resolveRoutePolicy,
  StrictCorsOptionsError,
} from './resolve-options';
import type { StrictCorsOptions } from './options';

function problemsOf(options: unknown): readonly string[] {
  try {
    resolveModuleOptions(options as StrictCorsOptions);
  } catch (error) {
    if (error instanceof StrictCorsOptionsError) return error.problems;
    throw error;
  }
  return [];
}

describe('resolveModuleOptions', () => {
  it('fills in the defaults', () => {
    const { settings, policy, mode } = resolveModuleOptions({ origins: ['https://a.example.com'] });
    expect(mode).toBe('middleware');
    expect(settings).toMatchObject({ credentials: false, maxAge: 600 });
    expect(policy.allowedHeaders).toEqual(['content-type']);
  });

  it.each([
    [undefined, ['options must be an object']],
    [
      {},
      [
        'origins: is required, got nothing (e.g. ["https://app.example.com"], or "*" for a public API)',
      ],
    ],
    [
      { origins: 'https://a.example.com' },
      ['origins: must be "*" or an array of origin strings, got "https://a.example.com"'],
    ],
    [{ origins: [/a/] }, ['origins: must be "*" or an array of origin strings, got [{}]']],
    [{ origins: '*', credentials: 'yes' }, ['credentials: must be true or false, got "yes"']],
    [
      { origins: '*', methods: 'GET,POST' },
      ['methods: must be an array of strings, got "GET,POST"'],
    ],
    [{ origins: '*', maxAge: '60' }, ['maxAge: must be a number of seconds, got "60"']],
    [{ origins: '*', maxAge: 1.5 }, ['maxAge must be an integer 0-86400, got 1.5']],
    [
      { origins: '*', mode: 'early' },
      ['mode: must be one of middleware, before-routing, manual, got "early"'],
    ],
    [{ origins: '*', onDecision: 'log' }, ['onDecision: must be a function, got "log"']],
    [
      { origins: '*', allowedOrigins: [] },
      ['"allowedOrigins" is not an option: did you mean "origins"?'],
    ],
    [
      { origins: '*', preflightContinue: true },
      [expect.stringContaining('"preflightContinue" is not an option (known: origins,')],
    ],
  ])('refuses %j', (options, problems) => {
    expect(problemsOf(options)).toEqual(problems);
  });
});

describe('resolveRoutePolicy', () => {
  const { settings } = resolveModuleOptions({
    origins: ['https://a.example.com'],
    credentials: true,
  });

  it('turns credentials off for a public route that does not set them', () => {
    const { policy, problems } = resolveRoutePolicy({ origins: '*' }, undefined, settings, 'here');
    expect(problems).toEqual([]);
    expect(policy.credentials).toBe(false);
  });

  it('names the route and the field of a bad decorator', () => {
    expect(
      resolveRoutePolicy({ maxAge: -5 }, { origin: 'x' } as never, settings, '@CorsPolicy on A.b')
        .problems,
    ).toEqual(['@CorsPolicy on A.b: "origin" is not an option: did you mean "origins"?']);
  });
});
