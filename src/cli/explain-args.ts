import { METHODS } from 'node:http';
import { parseArgs } from 'node:util';
import { ExplainQuery } from '../cors/cors-explainer';
import { TOKEN } from 'nest-strict-cors';

export const USAGE = `Usage: npm run cors:explain -- --origin <origin> [options]
       node dist/cli/cors-explain.js --origin <origin> [options]

Prints what the service would do for one request, with the configuration it would start with
(environment, then .env.<NODE_ENV>, then .env in the working directory) and its @CorsPolicy routes.

  --origin <origin>   the Origin the browser sends, e.g. https://app.example.com
                      (repeat for several Origin lines; leave out for a request without one)
  --method <method>   the request's method, or with --preflight the method it asks for (POST)
  --path <path>       the request's path (/greet)
  --preflight         explain the OPTIONS preflight the browser sends first
  --header <name>     a request header the page sets (repeatable; with --preflight, sent in
                      Access-Control-Request-Headers)
  --json              print one JSON object instead of text
  --help              this text

Exit code: 0 allowed or not CORS, 1 refused, 2 bad usage or invalid configuration.`;

export class UsageError extends Error {}

/** Whether any character is a control character (tab allowed): no header can carry one. */
function hasControl(value: string, allowTab: boolean): boolean {
  for (const char of value) {
    const code = char.charCodeAt(0);
    if ((code < 0x20 && !(allowTab && code === 0x09)) || code === 0x7f) return true;
  }
  return false;
}

export type ExplainArgs = { help: true } | { help: false; json: boolean; query: ExplainQuery };

export function parseExplainArgs(argv: readonly string[]): ExplainArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        origin: { type: 'string', multiple: true },
        method: { type: 'string', default: 'POST' },
        path: { type: 'string', default: '/greet' },
        preflight: { type: 'boolean', default: false },
        header: { type: 'string', multiple: true },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return { help: true };
  if (argv.length === 0) throw new UsageError('say which request to explain');
  const { method, path } = values;
  if (!TOKEN.test(method))
    throw new UsageError(`--method must be an HTTP method, got ${JSON.stringify(method)}`);
  if (!path.startsWith('/') || /\s/.test(path) || hasControl(path, false)) {
    throw new UsageError(`--path must be a path starting with "/", got ${JSON.stringify(path)}`);
  }
  const headers = values.header ?? [];
  for (const name of headers) {
    if (!TOKEN.test(name)) {
      throw new UsageError(`--header must be a header name, got ${JSON.stringify(name)}`);
    }
  }
  if (!values.preflight && !METHODS.includes(method)) {
    throw new UsageError(
      `--method ${JSON.stringify(method)} is not a method Node's HTTP server accepts: the service answers 400 before any CORS check (methods are case-sensitive: ${METHODS.includes(method.toUpperCase()) ? `"${method.toUpperCase()}"?` : 'e.g. "POST"'})`,
    );
  }
  // Node strips the spaces and tabs around a header value, so the service never sees them.
  const origins = (values.origin ?? []).map((origin) => origin.replace(/^[ \t]+|[ \t]+$/g, ''));
  for (const origin of origins) {
    // Header values cannot carry line breaks or other control characters.
    if (hasControl(origin, true)) {
      throw new UsageError(
        `--origin cannot contain control characters, got ${JSON.stringify(origin)}`,
      );
    }
  }
  if (values.preflight && origins.length === 0) {
    throw new UsageError('--preflight needs --origin: a preflight always carries one');
  }
  return {
    help: false,
    json: values.json,
    query: { origins, method, path, preflight: values.preflight, headers },
  };
}
