import fs from 'node:fs';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';

/** The system Chromium (Debian's `chromium` package); these specs never download a browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install it (apt-get install chromium) or set ` +
        'CHROMIUM_PATH. The browser specs never download a browser.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

export interface PageSession {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Uncaught exceptions thrown by the page's own scripts. */
  readonly pageErrors: Error[];
}

/**
 * Opens `url` in a fresh browser context (its own preflight cache, cookies and storage, so no
 * case sees another's cache), runs `body`, and closes the context even when `body` throws.
 */
export async function withPage<T>(
  browser: Browser,
  url: string,
  body: (session: PageSession) => Promise<T>,
  /** Runs on the new context before the page opens: routes, cookies, listeners. */
  prepare?: (context: BrowserContext) => Promise<unknown> | void,
): Promise<T> {
  const context = await browser.newContext();
  try {
    await prepare?.(context);
    const page = await context.newPage();
    const pageErrors: Error[] = [];
    page.on('pageerror', (error) => pageErrors.push(error));
    const response = await page.goto(url);
    if (response?.status() !== 200) {
      throw new Error(`GET ${url} answered ${response?.status() ?? 'nothing'}`);
    }
    return await body({ page, context, pageErrors });
  } finally {
    await context.close();
  }
}
