import type { Page } from 'playwright-core';

/** The demo's `<body data-status>`: its state machine, set by demo/app.js. */
export type DemoStatus = 'loading' | 'config-error' | 'ready' | 'sending' | 'success' | 'error';

/** Waits until the page is in one of `statuses`, and returns the one it is in. */
export async function waitForStatus(page: Page, ...statuses: DemoStatus[]): Promise<DemoStatus> {
  await page.waitForSelector(statuses.map((s) => `body[data-status="${s}"]`).join(', '), {
    state: 'attached',
  });
  return (await page.getAttribute('body', 'data-status')) as DemoStatus;
}

/** What a user sees of the result: the greeting and the error message (empty when hidden). */
export async function readResult(page: Page): Promise<{ greeting: string; error: string }> {
  const errorVisible = await page.isVisible('#error');
  return {
    greeting: (await page.textContent('#greeting')) ?? '',
    error: errorVisible ? ((await page.textContent('#error')) ?? '') : '',
  };
}

/** Fills the form as a user would, clicks Greet and waits for the outcome. */
export async function submitGreeting(
  page: Page,
  name: string,
  lang?: string,
): Promise<{ status: DemoStatus; greeting: string; error: string }> {
  await page.fill('#name', name);
  if (lang !== undefined) await page.selectOption('#lang', lang);
  await page.click('#greet-button');
  const status = await waitForStatus(page, 'success', 'error');
  return { status, ...(await readResult(page)) };
}

/** The language picker's options as `[value, label]` pairs. */
export async function languageOptions(page: Page): Promise<Array<[string, string]>> {
  const options = page.locator('#lang option');
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < (await options.count()); i += 1) {
    const option = options.nth(i);
    pairs.push([(await option.getAttribute('value')) ?? '', (await option.textContent()) ?? '']);
  }
  return pairs;
}
