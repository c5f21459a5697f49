import {
  IncomingMessage,
  ServerResponse,
  validateHeaderName,
  validateHeaderValue,
} from 'node:http';
import { exchangeOf } from './exchange';
import { mustCloseAfterEarlyAnswer } from './request-body';
import { isDocsPath, securityLinesFor } from './security-headers';

/** Header pairs as a policy precomputes them (e.g. the CORS headers of a decision). */
export type HeaderList = ReadonlyArray<readonly [name: string, value: string]>;

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
export const ALLOW_ORIGIN = 'Access-Control-Allow-Origin';

/**
 * The header lines of a response that do not change from one request to the next — the security
 * headers, a CORS policy's lines but the echoed origin, an error envelope's Content-Type —
 * serialised once as `Name: value\r\n` text, and validated once, as Node validates every line it
 * is given. Never a framing header (Content-Length, Connection, Transfer-Encoding): Node must see
 * those to frame the body and the connection.
 */
export interface FixedLines {
  readonly text: string;
  readonly pairs: HeaderList;
  /** The CORS lines' Access-Control-Allow-Origin, which goes through Node with the request id. */
  readonly allowOrigin: string | undefined;
}

function serialise(pairs: HeaderList): string {
  let text = '';
  for (const [name, value] of pairs) {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    text += `${name}: ${value}\r\n`;
  }
  return text;
}

function pairsOf(flat: readonly string[]): HeaderList {
  const pairs: Array<readonly [string, string]> = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
  return pairs;
}

const SECURITY = { api: pairsOf(securityLinesFor('/')), docs: pairsOf(securityLinesFor('/docs')) };
const CONTENT_TYPE: HeaderList = [['Content-Type', JSON_CONTENT_TYPE]];

type Variant = 'api' | 'apiJson' | 'docs' | 'docsJson';

/** Keyed by a policy's own header lists, which it caches: bounded like those caches. */
const cache = new WeakMap<HeaderList, Partial<Record<Variant, FixedLines>>>();

/**
 * The fixed lines of a response to `path` with the CORS lines `cors` (and an envelope's
 * Content-Type when `json`), computed on first use.
 */
export function fixedLinesFor(
  path: string | undefined,
  cors: HeaderList,
  json: boolean,
): FixedLines {
  const docs = isDocsPath(path);
  const variant: Variant = docs ? (json ? 'docsJson' : 'docs') : json ? 'apiJson' : 'api';
  let byVariant = cache.get(cors);
  if (byVariant === undefined) {
    byVariant = {};
    cache.set(cors, byVariant);
  }
  let lines = byVariant[variant];
  if (lines === undefined) {
    const echoes = cors.length > 0 && cors[0][0] === ALLOW_ORIGIN;
    const pairs = [
      ...(docs ? SECURITY.docs : SECURITY.api),
      ...(echoes ? cors.slice(1) : cors),
      ...(json ? CONTENT_TYPE : []),
    ];
    lines = { text: serialise(pairs), pairs, allowOrigin: echoes ? cors[0][1] : undefined };
    byVariant[variant] = lines;
  }
  return lines;
}

const kFixed = Symbol('fixedLines');
const kExtra = Symbol('extraLines');
type WithFixedLines = ServerResponse & {
  [kFixed]?: FixedLines;
  [kExtra]?: string;
  _storeHeader?: StoreHeader;
  _header?: unknown;
};
type StoreHeader = (this: ServerResponse, firstLine: string, headers: unknown) => void;

const storeHeader = (ServerResponse.prototype as unknown as { _storeHeader: StoreHeader })
  ._storeHeader;

/**
 * Node builds a response's head in `_storeHeader(statusLine, headers)`, validating and serialising
 * each header it is given. The fixed lines go in already serialised, right after the status line,
 * so only the lines that change per request go through Node's per-line work.
 */
function storeHeaderWithFixedLines(
  this: WithFixedLines,
  firstLine: string,
  headers: unknown,
): void {
  // An answer written while its request's body is still arriving (a route that reads none, like a
  // GET with a body, on either platform) would keep the connection and let Node read and discard
  // the rest for as long as the client sends: it closes instead, in stages (lingering-close.ts),
  // under the rule every early answer follows. A complete request (every usual one) skips this.
  // Only heads built here: /docs and a Node without this hook keep Node's own keep-alive.
  if (this.req?.complete === false && mustCloseAfterEarlyAnswer(this.req, exchangeOf(this))) {
    this.shouldKeepAlive = false;
  }
  const extra = this[kExtra];
  const fixed = this[kFixed]?.text ?? '';
  storeHeader.call(this, firstLine + (extra === undefined ? fixed : fixed + extra), headers);
}

/**
 * Whether this Node builds heads the way storeHeaderWithFixedLines relies on: checked once, by
 * writing a head on a detached response. If a future Node changes its internals, responses fall
 * back to handing Node every line (the same headers, a little slower), never to fewer headers.
 */
export const canWriteFixedLines = ((): boolean => {
  try {
    if (typeof storeHeader !== 'function') return false;
    const res = new ServerResponse(new IncomingMessage(null as never)) as WithFixedLines;
    res[kFixed] = { text: 'X-Fixed: 1\r\n', pairs: [['X-Fixed', '1']], allowOrigin: undefined };
    res._storeHeader = storeHeaderWithFixedLines;
    res.writeHead(204, ['X-Dynamic', '2']);
    return (
      typeof res._header === 'string' &&
      res._header.startsWith('HTTP/1.1 204 No Content\r\nX-Fixed: 1\r\nX-Dynamic: 2\r\n')
    );
  } catch {
    return false;
  }
})();

/**
 * Makes `lines` part of the response's head, whoever writes it (an early answer, Express or
 * Fastify): two own properties on the response, no setHeader.
 */
export function attachFixedLines(res: ServerResponse, lines: FixedLines): void {
  const target = res as WithFixedLines;
  target[kFixed] = lines;
  target._storeHeader = storeHeaderWithFixedLines;
}

/**
 * The fixed lines a response carries, as pairs: for code that copies a response's headers (an
 * answer written on the socket for a request whose body timed out) or replaces its CORS lines.
 */
export function fixedLinesOf(res: ServerResponse): FixedLines | undefined {
  return (res as WithFixedLines)[kFixed];
}

/**
 * Adds lines that change per request but that the service writes itself from values it produced
 * (the rate limit's counts: integers under fixed names), serialised as `Name: value\r\n` text
 * after the fixed lines, so they skip setHeader's validation and Node's per-line work. Only for a
 * response that has fixed lines attached (attachFixedLines); names must not be framing headers.
 */
export function attachExtraLines(res: ServerResponse, flat: readonly string[]): void {
  let text = '';
  for (let i = 0; i < flat.length; i += 2) text += `${flat[i]}: ${flat[i + 1]}\r\n`;
  (res as WithFixedLines)[kExtra] = text;
}

/** The extra lines of a response (attachExtraLines) as pairs, for code that copies its headers. */
export function extraLinesOf(res: ServerResponse): HeaderList {
  const text = (res as WithFixedLines)[kExtra];
  if (text === undefined) return [];
  return text
    .split('\r\n')
    .filter((line) => line !== '')
    .map((line) => {
      const colon = line.indexOf(': ');
      return [line.slice(0, colon), line.slice(colon + 2)] as const;
    });
}
