import type { Browser } from 'playwright-core';
import { launchChromium, withPage } from './helpers/chromium';
import { fetchFromPage, postJson } from './helpers/page-fetch';
import { BrowserApi, startApi } from './helpers/servers';

/**
 * The Swagger page is served by the API itself: same-origin. It must render under the security
 * headers (its CSP), and calls from it must work whatever the CORS allowlist says, because the
 * browser marks them `Sec-Fetch-Site: same-origin`.
 */

jest.setTimeout(30_000);

let browser: Browser;
let api: BrowserApi;

beforeAll(async () => {
  browser = await launchChromium();
  api = await startApi({ DOCS_ENABLED: 'true', CORS_ALLOWED_ORIGINS: 'https://app.example.com' });
});
afterAll(async () => {
  await api?.close();
  await browser?.close();
});

describe('the docs page (same-origin)', () => {
  it('renders Swagger UI with every route, without CSP violations or script errors', async () => {
    await withPage(browser, `${api.url}/docs`, async ({ page, pageErrors }) => {
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
      });
      await page.waitForSelector('.opblock-summary-path', { timeout: 15_000 });
      const texts = await page.locator('.opblock-summary-path').allTextContents();
      const paths = texts.map((text) => text.replace(/\u200b/g, '').trim());
      expect(paths).toEqual(
        expect.arrayContaining(['/greet', '/greet/languages', '/health/live', '/health/ready']),
      );
      expect(await page.textContent('.title')).toContain('greet-cors-api');
      expect(violations).toEqual([]);
      expect(pageErrors).toEqual([]);
    });
  });

  it('can call the API from the page although its origin is not on the allowlist', async () => {
    await withPage(browser, `${api.url}/docs`, async ({ page }) => {
      const greeting = await postJson(page, `${api.url}/greet`, { name: 'Alice', lang: 'fr' });
      expect(greeting).toMatchObject({ kind: 'response', status: 200 });
      expect(greeting.kind === 'response' && greeting.body).toMatchObject({
        greeting: 'Bonjour, Alice!',
      });
      const spec = await fetchFromPage(page, `${api.url}/docs-json`);
      expect(spec).toMatchObject({ kind: 'response', status: 200 });
      expect(api.log('/greet')).toEqual(['POST /greet 200']);
    });
  });
});
