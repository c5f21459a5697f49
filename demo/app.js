'use strict';
// The demo front end: plain browser JavaScript, no framework and no build step. Everything the
// server sends is written with textContent / new Option, never parsed as HTML.
(() => {
  const DEFAULT_API_BASE = 'http://localhost:5000';
  const NETWORK_ERROR = 'Request blocked (CORS) or network error';
  const TIMEOUT_ERROR = 'The API did not answer in time';
  const TIMEOUT_MS = 15000;

  const $ = (id) => document.getElementById(id);
  const form = $('greet-form');
  const nameInput = $('name');
  const langSelect = $('lang');
  const button = $('greet-button');
  const greetingEl = $('greeting');
  const timestampEl = $('timestamp');
  const errorEl = $('error');
  const apiBaseEl = $('api-base');

  /** Tests and styles read the page's state from `<body data-status>`. */
  function setStatus(status) {
    document.body.dataset.status = status;
  }

  function showError(message) {
    errorEl.textContent = message;
    errorEl.hidden = false;
  }

  function clearResult() {
    greetingEl.textContent = '';
    timestampEl.textContent = '';
    errorEl.textContent = '';
    errorEl.hidden = true;
  }

  /**
   * The API base URL: `?api=` when given (an absolute http(s) URL without credentials, query or
   * fragment; a path is kept, for an API behind a prefix), else the default.
   */
  function resolveApiBase(search) {
    const raw = new URLSearchParams(search).get('api');
    if (raw === null) return { base: DEFAULT_API_BASE };
    const invalid = { error: `Invalid ?api= value "${raw}": expected an http(s) URL` };
    let url;
    try {
      url = new URL(raw);
    } catch {
      return invalid;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return invalid;
    if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
      return invalid;
    }
    return { base: (url.origin + url.pathname).replace(/\/+$/, '') };
  }

  class ApiError extends Error {}

  /**
   * fetch + JSON. The API sends CORS headers on its errors too, so a 400 or a 413 is readable
   * and its `error` message is shown; a refused origin (403) or a network failure gives the page
   * no response at all (fetch rejects with a TypeError), hence the generic message.
   */
  async function callApi(url, init = {}) {
    let response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (error) {
      throw new ApiError(error && error.name === 'TimeoutError' ? TIMEOUT_ERROR : NETWORK_ERROR);
    }
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      const message = body && typeof body.error === 'string' ? body.error : '';
      throw new ApiError(message || `Server error: ${response.status}`);
    }
    if (body === null || typeof body !== 'object') {
      throw new ApiError('Unexpected response from the server');
    }
    return body;
  }

  function fillLanguages(languages) {
    langSelect.replaceChildren(
      ...languages.map(({ code, greeting }) => new Option(`${code} — ${greeting}`, code)),
    );
    langSelect.value = languages.some(({ code }) => code === 'en') ? 'en' : languages[0].code;
  }

  async function loadLanguages(base) {
    try {
      const body = await callApi(`${base}/greet/languages`);
      const languages = Array.isArray(body.languages)
        ? body.languages.filter(
            (item) => item && typeof item.code === 'string' && typeof item.greeting === 'string',
          )
        : [];
      if (languages.length === 0) throw new ApiError('Unexpected response from the server');
      fillLanguages(languages);
    } catch (error) {
      // Still usable: without `lang` the API greets in its default language.
      langSelect.replaceChildren(new Option('Server default', ''));
      showError(
        `Could not load languages: ${error instanceof ApiError ? error.message : NETWORK_ERROR}`,
      );
    }
    langSelect.disabled = false;
    button.disabled = false;
    setStatus('ready');
  }

  async function greet(base) {
    clearResult();
    setStatus('sending');
    button.disabled = true;
    const lang = langSelect.value;
    // The name is sent as typed: validation is the API's job, and its messages are shown.
    const payload = lang === '' ? { name: nameInput.value } : { name: nameInput.value, lang };
    try {
      const body = await callApi(`${base}/greet`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(payload),
      });
      if (typeof body.greeting !== 'string')
        throw new ApiError('Unexpected response from the server');
      greetingEl.textContent = body.greeting;
      if (typeof body.timestamp === 'string')
        timestampEl.textContent = `Server time: ${body.timestamp}`;
      setStatus('success');
    } catch (error) {
      showError(error instanceof ApiError ? error.message : NETWORK_ERROR);
      setStatus('error');
    } finally {
      button.disabled = false;
    }
  }

  const api = resolveApiBase(window.location.search);
  if (api.error !== undefined) {
    apiBaseEl.textContent = '(none)';
    langSelect.replaceChildren(new Option('—', ''));
    showError(api.error);
    setStatus('config-error');
    return;
  }
  apiBaseEl.textContent = api.base;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void greet(api.base);
  });
  void loadLanguages(api.base);
})();
