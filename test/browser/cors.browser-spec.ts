import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, withPage } from './helpers/chromium';
import { waitForStatus } from './helpers/demo-page';
import { BLOCKED, fetchFromPage, PageFetchOutcome, postJson } from './helpers/page-fetch';
import { BrowserApi, DemoSite, startApi, startDemo } from './helpers/servers';

/**
 * The CORS contract as a browser enforces it: real `fetch` calls from the JavaScript of a page
 * served on http://localhost:<demo port> (the allowed origin) or on a disallowed origin, against
 * the real API on http://127.0.0.1:<api port>. The API records every request it receives, so each
 * case also shows what reached the server (preflights included).
 */

jest.setTimeout(30_000);

const LANGUAGES = {
  languages: [
    { code: 'en', greeting: 'Hello' },
    { code: 'es', greeting: 'Hola' },
    { code: 'fr', greeting: 'Bonjour' },
    { code: 'de', greeting: 'Hallo' },
    { code: 'it', greeting: 'Ciao' },
    { code: 'pt', greeting: 'Olá' },
  ],
};
const ISO_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

let browser: Browser;
/** The allowed origin's site, http://localhost:<port> (also reachable as 127.0.0.1). */
let demo: DemoSite;
/** A second site on another port: http://localhost:<other port> is not allowed. */
let otherSite: DemoSite;
const apis: BrowserApi[] = [];

/** An API allowing only the demo's origin, plus `env`; closed in afterAll. */
async function api(env: Record<string, string> = {}): Promise<BrowserApi> {
  const started = await startApi({ CORS_ALLOWED_ORIGINS: demo.origin, ...env });
  apis.push(started);
  return started;
}

/**
 * Opens the demo page on `origin` (fresh context), waits for it to be ready, clears what the
 * API saw during the page load, then runs `body`.
 */
function fromOrigin<T>(
  origin: string,
  target: BrowserApi,
  body: (page: Page) => Promise<T>,
  prepare?: Parameters<typeof withPage>[3],
): Promise<T> {
  return withPage(
    browser,
    demo.pageUrl(target.url, origin),
    async ({ page }) => {
      await waitForStatus(page, 'ready');
      target.clear();
      return body(page);
    },
    prepare,
  );
}

function response(status: number, body: unknown): PageFetchOutcome {
  return { kind: 'response', status, body };
}

beforeAll(async () => {
  [browser, demo, otherSite] = await Promise.all([launchChromium(), startDemo(), startDemo()]);
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([...apis.map((a) => a.close()), demo?.close(), otherSite?.close()]);
});

describe('from the allowed origin', () => {
  let server: BrowserApi;

  beforeAll(async () => {
    server = await api();
  });

  it('a JSON POST gets a readable 200, after one preflight carrying the exact origin', async () => {
    const outcome = await fromOrigin(demo.origin, server, (page) =>
      postJson(page, `${server.url}/greet`, { name: 'Alice', lang: 'es' }),
    );

    expect(outcome).toEqual(
      response(200, { greeting: 'Hola, Alice!', timestamp: expect.any(String) }),
    );
    expect((outcome as { body: { timestamp: string } }).body.timestamp).toMatch(ISO_INSTANT);
    expect(server.log()).toEqual(['OPTIONS /greet 204', 'POST /greet 200']);
    expect(server.seen.map((request) => request.origin)).toEqual([demo.origin, demo.origin]);
  });

  it.each([
    ['{}', 'Missing request body'],
    ['{"lang":"es"}', "Missing required field: 'name'"],
    ['{"name":"   "}', "Field 'name' cannot be empty"],
    ['{"name":"Alice","lang":"XX"}', "Invalid or unsupported language selection: 'xx'"],
    ['{"name":', 'Malformed JSON in request body'],
  ])('a 400 is readable: %s -> %j', async (body, error) => {
    const outcome = await fromOrigin(demo.origin, server, (page) =>
      postJson(page, `${server.url}/greet`, body),
    );

    expect(outcome).toEqual(response(400, { statusCode: 400, error }));
  });

  it('a 415 (a "simple" text/plain POST, sent without preflight) is readable', async () => {
    const outcome = await fromOrigin(demo.origin, server, (page) =>
      fetchFromPage(page, `${server.url}/greet`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain' },
        body: '{"name":"Alice"}',
      }),
    );

    expect(outcome).toEqual(
      response(415, { statusCode: 415, error: 'Content-Type must be application/json' }),
    );
    expect(server.log()).toEqual(['POST /greet 415']);
  });

  it('a 404 is readable', async () => {
    const outcome = await fromOrigin(demo.origin, server, (page) =>
      postJson(page, `${server.url}/nope`, { name: 'Alice' }),
    );

    expect(outcome).toEqual(response(404, { statusCode: 404, error: 'Cannot POST /nope' }));
  });
});

describe('with RATE_LIMIT_MAX=3', () => {
  let server: BrowserApi;

  beforeAll(async () => {
    server = await api({ RATE_LIMIT_MAX: '3' });
  });

  it("the page's JavaScript reads the 429, Retry-After and X-RateLimit-*; preflights cost nothing", async () => {
    const answers = await fromOrigin(demo.origin, server, (page) =>
      page.evaluate(async (url) => {
        const seen = [];
        for (let i = 0; i < 6; i++) {
          const res = await fetch(`${url}/greet`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ name: 'Ada' }),
          });
          seen.push({
            status: res.status,
            body: await res.text(),
            limit: res.headers.get('X-RateLimit-Limit'),
            remaining: res.headers.get('X-RateLimit-Remaining'),
            reset: res.headers.get('X-RateLimit-Reset'),
            retryAfter: res.headers.get('Retry-After'),
          });
        }
        return seen;
      }, server.url),
    );

    // The page load may have spent some of the budget (the demo lists the languages): what is
    // left counts down by one per POST, then every POST is a readable 429.
    const ok = answers.filter((a) => a.status === 200);
    const limited = answers.filter((a) => a.status === 429);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(answers.map((a) => a.status)).toEqual([...ok.map(() => 200), ...limited.map(() => 429)]);
    expect(ok.map((a) => Number(a.remaining))).toEqual(ok.map((_, i) => ok.length - 1 - i));
    for (const answer of answers) {
      expect(answer.limit).toBe('3');
      expect(Number(answer.reset)).toBeGreaterThanOrEqual(1);
    }
    expect(limited.length).toBeGreaterThanOrEqual(3);
    for (const answer of limited) {
      expect(answer.body).toBe('{"statusCode":429,"error":"Too many requests"}');
      expect(answer.remaining).toBe('0');
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    // One preflight (cached for CORS_MAX_AGE), never answered 429.
    expect(server.log().filter((line) => line.startsWith('OPTIONS'))).toEqual([
      'OPTIONS /greet 204',
    ]);
  });
});

describe('with BODY_LIMIT=1kb', () => {
  let server: BrowserApi;

  beforeAll(async () => {
    server = await api({ BODY_LIMIT: '1kb' });
  });

  it('a 413 is readable, and a body under the limit still succeeds', async () => {
    const [over, under] = await fromOrigin(demo.origin, server, async (page) => [
      await postJson(page, `${server.url}/greet`, { name: 'Alice', pad: 'x'.repeat(1024) }),
      await postJson(page, `${server.url}/greet`, { name: 'Alice', pad: 'x'.repeat(900) }),
    ]);

    expect(over).toEqual(response(413, { statusCode: 413, error: 'Payload too large' }));
    expect(under).toEqual(
      response(200, { greeting: 'Hello, Alice!', timestamp: expect.any(String) }),
    );
  });
});

describe("credentials: 'include'", () => {
  /**
   * The cookie is set for `localhost` and the API called as http://localhost:<api port>: same
   * site as the page, so the browser's SameSite=Lax default does not hold the cookie back and
   * only CORS decides.
   */
  const withSessionCookie = (context: BrowserContext) =>
    context.addCookies([{ name: 'session', value: 'abc123', domain: 'localhost', path: '/' }]);
  const credentialed = (server: BrowserApi) => (page: Page) =>
    postJson(
      page,
      `http://localhost:${server.port}/greet`,
      { name: 'Alice' },
      {
        credentials: 'include',
      },
    );

  it('works when CORS_ALLOW_CREDENTIALS=true: readable, and the cookie reached the API', async () => {
    const server = await api({ CORS_ALLOW_CREDENTIALS: 'true' });

    const outcome = await fromOrigin(demo.origin, server, credentialed(server), withSessionCookie);

    expect(outcome).toEqual(
      response(200, { greeting: 'Hello, Alice!', timestamp: expect.any(String) }),
    );
    expect(server.log()).toEqual(['OPTIONS /greet 204', 'POST /greet 200']);
    // Preflights never carry cookies; the actual request does.
    expect(server.seen.map((request) => request.cookie)).toEqual([undefined, 'session=abc123']);
  });

  it('fails with a TypeError when CORS_ALLOW_CREDENTIALS=false (the POST is never sent)', async () => {
    const server = await api({ CORS_ALLOW_CREDENTIALS: 'false' });

    const [withCredentials, withoutCredentials] = await fromOrigin(
      demo.origin,
      server,
      async (page) => [
        await credentialed(server)(page),
        await postJson(page, `http://localhost:${server.port}/greet`, { name: 'Alice' }),
      ],
      withSessionCookie,
    );

    expect(withCredentials).toEqual(BLOCKED);
    expect(withoutCredentials).toEqual(
      response(200, { greeting: 'Hello, Alice!', timestamp: expect.any(String) }),
    );
    // The preflight passed (allowed origin) but lacked Allow-Credentials, so the browser stopped.
    expect(server.log()).toEqual(['OPTIONS /greet 204', 'OPTIONS /greet 204', 'POST /greet 200']);
    expect(server.seen.map((request) => request.cookie)).toEqual([undefined, undefined, undefined]);
  });
});

describe('from a disallowed origin', () => {
  let server: BrowserApi;

  beforeAll(async () => {
    server = await api();
  });

  /** Resolved when the case runs: the sites start in beforeAll. */
  const DISALLOWED = {
    'another port': () => otherSite.origin,
    '127.0.0.1 instead of localhost': () => demo.loopbackOrigin,
  };
  const cases = Object.keys(DISALLOWED) as Array<keyof typeof DISALLOWED>;

  it.each(cases)('%s: a JSON POST rejects with a TypeError', async (label) => {
    const origin = DISALLOWED[label]();

    const outcome = await fromOrigin(origin, server, (page) =>
      postJson(page, `${server.url}/greet`, { name: 'Alice', lang: 'es' }),
    );

    expect(outcome).toEqual(BLOCKED);
    expect(server.log()).toEqual(['OPTIONS /greet 403']);
    expect(server.seen[0].origin).toBe(origin);
  });

  it.each(cases)(
    '%s: a "simple" POST reaches the API, is refused with 403, and is unreadable',
    async (label) => {
      const origin = DISALLOWED[label]();

      const outcome = await fromOrigin(origin, server, (page) =>
        fetchFromPage(page, `${server.url}/greet`, {
          method: 'POST',
          headers: { 'Content-Type': 'text/plain' },
          body: '{"name":"Alice"}',
        }),
      );

      expect(outcome).toEqual(BLOCKED);
      expect(server.log()).toEqual(['POST /greet 403']);
    },
  );

  it.each(cases)(
    '%s: the public GET /greet/languages is readable while POST /greet fails',
    async (label) => {
      const origin = DISALLOWED[label]();

      const [languages, greeting] = await fromOrigin(origin, server, async (page) => [
        // no-store: the page load fetched it already, and a revalidation would log a 304.
        await fetchFromPage(page, `${server.url}/greet/languages`, { cache: 'no-store' }),
        await postJson(page, `${server.url}/greet`, { name: 'Alice' }),
      ]);

      expect(languages).toEqual(response(200, LANGUAGES));
      expect(greeting).toEqual(BLOCKED);
      expect(server.log()).toEqual(['GET /greet/languages 200', 'OPTIONS /greet 403']);
    },
  );

  it('the public route is readable from the allowed origin too, but never with credentials', async () => {
    const [plain, credentialed] = await fromOrigin(demo.origin, server, async (page) => [
      await fetchFromPage(page, `${server.url}/greet/languages`),
      await fetchFromPage(page, `${server.url}/greet/languages`, { credentials: 'include' }),
    ]);

    expect(plain).toEqual(response(200, LANGUAGES));
    // `Access-Control-Allow-Origin: *` is not valid for a credentialed request.
    expect(credentialed).toEqual(BLOCKED);
  });
});

describe('preflight caching (CORS_MAX_AGE)', () => {
  const threePosts = (server: BrowserApi) => async (page: Page) => {
    const outcomes: PageFetchOutcome[] = [];
    for (const name of ['Ann', 'Bob', 'Cy']) {
      outcomes.push(await postJson(page, `${server.url}/greet`, { name }));
    }
    return outcomes;
  };

  it('CORS_MAX_AGE=60: three JSON POSTs cause exactly one preflight', async () => {
    const server = await api({ CORS_MAX_AGE: '60' });

    const outcomes = await fromOrigin(demo.origin, server, threePosts(server));

    expect(outcomes.map((outcome) => outcome.kind === 'response' && outcome.status)).toEqual([
      200, 200, 200,
    ]);
    expect(server.optionsCount('/greet')).toBe(1);
    expect(server.log()).toEqual([
      'OPTIONS /greet 204',
      'POST /greet 200',
      'POST /greet 200',
      'POST /greet 200',
    ]);
  });

  it('CORS_MAX_AGE=0: every JSON POST is preflighted', async () => {
    const server = await api({ CORS_MAX_AGE: '0' });

    const outcomes = await fromOrigin(demo.origin, server, threePosts(server));

    expect(outcomes.map((outcome) => outcome.kind === 'response' && outcome.status)).toEqual([
      200, 200, 200,
    ]);
    expect(server.optionsCount('/greet')).toBe(3);
    expect(server.log()).toEqual([
      'OPTIONS /greet 204',
      'POST /greet 200',
      'OPTIONS /greet 204',
      'POST /greet 200',
      'OPTIONS /greet 204',
      'POST /greet 200',
    ]);
  });
});

describe('custom request headers (CORS_ALLOWED_HEADERS)', () => {
  const withTraceId = (server: BrowserApi) => (page: Page) =>
    postJson(page, `${server.url}/greet`, { name: 'Alice' }, { headers: { 'X-Trace-Id': 't-1' } });

  it('X-Trace-Id not configured: the preflight is refused and fetch rejects', async () => {
    const server = await api();

    const outcome = await fromOrigin(demo.origin, server, withTraceId(server));

    expect(outcome).toEqual(BLOCKED);
    expect(server.log()).toEqual(['OPTIONS /greet 403']);
    expect(server.seen[0].requestHeaders).toBe('content-type,x-trace-id');
  });

  it('CORS_ALLOWED_HEADERS=Content-Type,X-Trace-Id: the same request succeeds', async () => {
    const server = await api({ CORS_ALLOWED_HEADERS: 'Content-Type,X-Trace-Id' });

    const outcome = await fromOrigin(demo.origin, server, withTraceId(server));

    expect(outcome).toEqual(
      response(200, { greeting: 'Hello, Alice!', timestamp: expect.any(String) }),
    );
    expect(server.log()).toEqual(['OPTIONS /greet 204', 'POST /greet 200']);
  });
});
