import { parseExplainArgs, UsageError } from './explain-args';

describe('parseExplainArgs', () => {
  it('defaults to a POST /greet actual request', () => {
    expect(parseExplainArgs(['--origin', 'https://a.example'])).toEqual({
      help: false,
      json: false,
      query: {
        origins: ['https://a.example'],
        method: 'POST',
        path: '/greet',
        preflight: false,
        headers: [],
      },
    });
  });

  it('reads repeated origins and headers, --preflight and --json', () => {
    const args = parseExplainArgs([
      '--origin=https://a.example',
      '--origin',
      'https://b.example',
      '--preflight',
      '--method',
      'PUT',
      '--header',
      'X-One',
      '--header',
      'content-type',
      '--json',
    ]);
    expect(args).toMatchObject({
      json: true,
      query: {
        origins: ['https://a.example', 'https://b.example'],
        method: 'PUT',
        preflight: true,
        headers: ['X-One', 'content-type'],
      },
    });
  });

  it('strips the spaces around an origin, as Node does with header values', () => {
    const args = parseExplainArgs(['--origin', ' \thttps://a.example  ']);
    expect(!args.help && args.query.origins).toEqual(['https://a.example']);
  });

  it('lets a preflight ask for any method token (the browser sends what the page asked)', () => {
    const args = parseExplainArgs(['--origin', 'x', '--preflight', '--method', 'get']);
    expect(!args.help && args.query.method).toBe('get');
  });

  it('answers --help', () => {
    expect(parseExplainArgs(['--help'])).toEqual({ help: true });
  });

  it.each([
    [[], 'say which request to explain'],
    [['--origin', 'x', '--method', 'GE T'], '--method must be an HTTP method, got "GE T"'],
    [['--origin', 'x', '--path', 'greet'], '--path must be a path starting with "/", got "greet"'],
    [['--origin', 'x', '--path', '/a b'], '--path must be a path starting with "/", got "/a b"'],
    [['--origin', 'x', '--header', 'X:Y'], '--header must be a header name, got "X:Y"'],
    [['--origin', 'a\r\nSet-Cookie: x'], '--origin cannot contain control characters'],
    [['--preflight'], '--preflight needs --origin'],
    [['--nope'], "Unknown option '--nope'"],
    [['--origin', 'x', '--method', 'get'], "is not a method Node's HTTP server accepts"],
    [['--origin', 'x', '--method', 'FOO'], 'the service answers 400 before any CORS check'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseExplainArgs(argv)).toThrow(UsageError);
    expect(() => parseExplainArgs(argv)).toThrow(message);
  });
});
