import type { Page } from 'playwright-core';

export interface PageFetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  credentials?: 'omit' | 'same-origin' | 'include';
  cache?: 'default' | 'no-store' | 'reload' | 'no-cache' | 'force-cache' | 'only-if-cached';
}

/** What the page's JavaScript got: a readable response, or the rejection of `fetch`. */
export type PageFetchOutcome =
  | { kind: 'response'; status: number; body: unknown }
  | { kind: 'rejected'; name: string; message: string };

/** Chromium's rejection for a CORS failure (or any network error): all the page ever learns. */
export const BLOCKED: PageFetchOutcome = {
  kind: 'rejected',
  name: 'TypeError',
  message: 'Failed to fetch',
};

/**
 * Runs `fetch(url, init)` inside the page, i.e. from the page's origin with the browser's CORS
 * enforcement, and reports what its JavaScript could read.
 */
export function fetchFromPage(
  page: Page,
  url: string,
  init: PageFetchInit = {},
): Promise<PageFetchOutcome> {
  return page.evaluate(
    async ({ url, init }): Promise<PageFetchOutcome> => {
      try {
        const response = await fetch(url, init);
        const text = await response.text();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        return { kind: 'response', status: response.status, body };
      } catch (error) {
        const { name, message } = error as Error;
        return { kind: 'rejected', name, message };
      }
    },
    { url, init },
  );
}

/** A JSON POST: Content-Type application/json makes it a preflighted request. */
export function postJson(
  page: Page,
  url: string,
  body: unknown,
  init: Omit<PageFetchInit, 'method' | 'body'> = {},
): Promise<PageFetchOutcome> {
  return fetchFromPage(page, url, {
    ...init,
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...init.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
