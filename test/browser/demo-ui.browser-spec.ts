import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium, withPage } from './helpers/chromium';
import { languageOptions, readResult, submitGreeting, waitForStatus } from './helpers/demo-page';
import { BrowserApi, DemoSite, startApi, startDemo } from './helpers/servers';

/**
 * The demo page (demo/), driven like a user in real Chromium: served by demo/serve.js on
 * http://localhost:<port>, calling the real API on http://127.0.0.1:<port> through `?api=`.
 */

jest.setTimeout(30_000);

const ARTIFACTS = path.resolve(__dirname, '../../artifacts');
const NETWORK_ERROR = 'Request blocked (CORS) or network error';

let browser: Browser;
let demo: DemoSite;
let api: BrowserApi;

beforeAll(async () => {
  [browser, demo] = await Promise.all([launchChromium(), startDemo()]);
  api = await startApi({ CORS_ALLOWED_ORIGINS: demo.origin });
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([api?.close(), demo?.close()]);
});

beforeEach(() => api.clear());

describe('demo page from the allowed origin', () => {
  it('fills the picker from GET /greet/languages and greets Alice in Spanish', async () => {
    await withPage(browser, demo.pageUrl(api.url), async ({ page, pageErrors }) => {
      expect(await waitForStatus(page, 'ready', 'config-error')).toBe('ready');
      expect(await page.textContent('h1')).toBe('Demo');
      expect(await page.textContent('#api-base')).toBe(api.url);
      expect(await languageOptions(page)).toEqual([
        ['en', 'en — Hello'],
        ['es', 'es — Hola'],
        ['fr', 'fr — Bonjour'],
        ['de', 'de — Hallo'],
        ['it', 'it — Ciao'],
        ['pt', 'pt — Olá'],
      ]);

      const result = await submitGreeting(page, 'Alice', 'es');

      expect(result).toEqual({ status: 'success', greeting: 'Hola, Alice!', error: '' });
      expect(await page.textContent('#timestamp')).toMatch(
        /^Server time: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
      );
      expect(api.log()).toEqual([
        'GET /greet/languages 200',
        'OPTIONS /greet 204',
        'POST /greet 200',
      ]);
      expect(new Set(api.seen.map((request) => request.origin))).toEqual(new Set([demo.origin]));
      expect(pageErrors).toEqual([]);

      fs.mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'demo-greeting.png'), fullPage: true });
    });
  });

  it("shows the API's 400 message, then clears it on the next success", async () => {
    await withPage(browser, demo.pageUrl(api.url), async ({ page }) => {
      await waitForStatus(page, 'ready');

      expect(await submitGreeting(page, '   ', 'fr')).toEqual({
        status: 'error',
        greeting: '',
        error: "Field 'name' cannot be empty",
      });
      expect(await submitGreeting(page, 'x'.repeat(101))).toEqual({
        status: 'error',
        greeting: '',
        error: "Field 'name' must be at most 100 characters",
      });
      expect(await submitGreeting(page, '  Bob  ', 'fr')).toEqual({
        status: 'success',
        greeting: 'Bonjour, Bob!',
        error: '',
      });
    });
  });

  it('shows a server message as text, never as HTML', async () => {
    await withPage(browser, demo.pageUrl(api.url), async ({ page }) => {
      await waitForStatus(page, 'ready');
      const name = '<img src=x id=injected>';

      expect(await submitGreeting(page, name, 'de')).toEqual({
        status: 'success',
        greeting: `Hallo, ${name}!`,
        error: '',
      });
      expect(await page.locator('#injected').count()).toBe(0);
    });
  });
});

describe('demo page with BODY_LIMIT=1kb', () => {
  let smallApi: BrowserApi;

  beforeAll(async () => {
    smallApi = await startApi({ CORS_ALLOWED_ORIGINS: demo.origin, BODY_LIMIT: '1kb' });
  });

  afterAll(() => smallApi?.close());

  it("shows the API's 413 message", async () => {
    await withPage(browser, demo.pageUrl(smallApi.url), async ({ page }) => {
      await waitForStatus(page, 'ready');

      expect(await submitGreeting(page, 'x'.repeat(2000), 'es')).toEqual({
        status: 'error',
        greeting: '',
        error: 'Payload too large',
      });
      expect(smallApi.log('/greet')).toEqual(['OPTIONS /greet 204', 'POST /greet 413']);
    });
  });
});

describe('demo page from a disallowed origin', () => {
  it('still lists the languages (public route) but cannot greet', async () => {
    // Same server, same port, but 127.0.0.1 is not the allowed http://localhost:<port>.
    const url = demo.pageUrl(api.url, demo.loopbackOrigin);
    await withPage(browser, url, async ({ page, pageErrors }) => {
      expect(await waitForStatus(page, 'ready')).toBe('ready');
      expect((await languageOptions(page)).map(([code]) => code)).toEqual([
        'en',
        'es',
        'fr',
        'de',
        'it',
        'pt',
      ]);
      expect(await readResult(page)).toEqual({ greeting: '', error: '' });

      expect(await submitGreeting(page, 'Alice', 'es')).toEqual({
        status: 'error',
        greeting: '',
        error: NETWORK_ERROR,
      });
      // The JSON POST's preflight was refused, so the POST itself was never sent.
      expect(api.log()).toEqual(['GET /greet/languages 200', 'OPTIONS /greet 403']);
      expect(pageErrors).toEqual([]);
    });
  });
});

describe('demo page API base', () => {
  it('defaults to http://localhost:5000 and reports an unreachable API', async () => {
    const requested: string[] = [];
    const url = `${demo.origin}/`;
    await withPage(
      browser,
      url,
      async ({ page }) => {
        expect(await waitForStatus(page, 'ready')).toBe('ready');
        expect(await page.textContent('#api-base')).toBe('http://localhost:5000');
        expect(requested).toEqual(['http://localhost:5000/greet/languages']);
        expect(await readResult(page)).toEqual({
          greeting: '',
          error: `Could not load languages: ${NETWORK_ERROR}`,
        });
        expect(await languageOptions(page)).toEqual([['', 'Server default']]);
      },
      // Never touch a real server on port 5000: record the request and fail it as a network error.
      (context) =>
        context.route('http://localhost:5000/**', (route) => {
          requested.push(route.request().url());
          return route.abort('connectionrefused');
        }),
    );
  });

  it.each([
    'javascript:alert(1)',
    'ftp://127.0.0.1:5000',
    'localhost:5000',
    'http://user:secret@127.0.0.1:5000',
    '',
  ])('refuses ?api=%j: no request is made and the form stays disabled', async (value) => {
    const url = `${demo.origin}/?api=${encodeURIComponent(value)}`;
    const elsewhere: string[] = [];
    await withPage(
      browser,
      url,
      async ({ page }) => {
        expect(await waitForStatus(page, 'ready', 'config-error')).toBe('config-error');
        expect(await readResult(page)).toEqual({
          greeting: '',
          error: `Invalid ?api= value "${value}": expected an http(s) URL`,
        });
        expect(await page.isDisabled('#greet-button')).toBe(true);
        expect(elsewhere).toEqual([]);
      },
      (context) => {
        context.on('request', (request) => {
          if (!request.url().startsWith(`${demo.origin}/`)) elsewhere.push(request.url());
        });
      },
    );
  });

  it('accepts an API base with a path prefix and a trailing slash', async () => {
    const url = `${demo.origin}/?api=${encodeURIComponent(`${api.url}/prefix/`)}`;
    await withPage(browser, url, async ({ page }) => {
      await waitForStatus(page, 'ready');
      expect(await page.textContent('#api-base')).toBe(`${api.url}/prefix`);
      // The API has no /prefix routes: a readable 404 whose message the page shows.
      expect(await readResult(page)).toEqual({
        greeting: '',
        error: 'Could not load languages: Cannot GET /prefix/greet/languages',
      });
    });
  });
});
