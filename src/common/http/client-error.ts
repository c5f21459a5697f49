import {
  STATUS_CODES,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { recordErrorReason, type ErrorEnvelope } from '../error-envelope';
import { randomUuid } from '../uuid';
import { ErrorMessages } from '../error-messages';
import { REQUEST_ID_HEADER } from '../request-id';
import { extraLinesOf, fixedLinesOf } from './fixed-header-lines';
import { lingerOf, type Linger, type LingeringClose } from './lingering-close';
import { API_HEADERS } from './security-headers';

export interface ClientErrorAnswer {
  readonly status: number;
  /** Node's error code, e.g. `HPE_HEADER_OVERFLOW` (or `CONNECT`): fixed strings, safe to log. */
  readonly code: string;
  readonly requestId: string;
  /** Request bytes discarded while the connection closed in stages (lingering-close.ts). */
  readonly lingered?: number;
}

/** Responses whose answer this wrote on the socket itself (their headersSent stays false). */
const answeredOnSocket = new WeakSet<ServerResponse>();

/** Whether a response was answered on its socket here: a 408 for a body that timed out. */
export function wasAnsweredOnSocket(res: ServerResponse): boolean {
  return answeredOnSocket.has(res);
}

/** Node sets `_httpMessage` to the response being written, and back to null once it is done. */
type SocketWithResponse = Duplex & { _httpMessage?: ServerResponse | null };

/** getHeaders() keys are lowercase: the request id goes under the same key, never twice. */
const REQUEST_ID_KEY = REQUEST_ID_HEADER.toLowerCase();

/** Headers an answer written on the socket must not copy from the response it replaces. */
const FRAMING = new Set(['content-length', 'content-type', 'connection', 'transfer-encoding']);

/**
 * Errors Node's HTTP parser raises (no Host, a header block over 16 KB, bad bytes, a request or
 * headers timeout) never reach a request handler: Node writes a bare `400`/`408`/`431` with no
 * body. This answers them like every other error — the JSON envelope, security headers, a request
 * id, `Connection: close` — and reports each answer once (for the log).
 *
 * When a request was already being handled (a body timing out mid-read), its response's headers
 * are kept, CORS headers included, so the front end can read the 408.
 */
export function answerClientErrors(
  server: Server,
  closer: LingeringClose,
  onAnswer: (answer: ClientErrorAnswer) => void,
): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: SocketWithResponse) => {
    // A connection closing in stages is no longer parsed; its own listeners close it. A failed
    // parser refuses every later chunk too: one answer per connection.
    if (lingerOf(socket as Socket)?.done === false || failing.has(socket)) return;
    // A connection that ended mid-request (HPE_INVALID_EOF_STATE: the client sent its FIN before
    // the rest of the body) has nobody left to read an answer; its request counts as aborted.
    if (error.code === 'ECONNRESET' || error.code === 'HPE_INVALID_EOF_STATE' || !socket.writable) {
      socket.destroy();
      return;
    }
    failing.add(socket);
    // Not before the end of this turn: requests parsed from the same bytes as the error wait for
    // their turn's batch (turn-batch.ts), and only pre-routing gives a request its id, security
    // and CORS headers, which its error answer must carry as if the bytes had come apart.
    const code = error.code ?? 'UNKNOWN';
    setImmediate(() =>
      afterEarlierAnswers(socket, () => answerNow(code, socket, closer, onAnswer)),
    );
  });
}

/** Connections whose parser failed, waiting for their error answer's turn. */
const failing = new WeakSet<Duplex>();

/**
 * The parser error's answer, written once every earlier answer on the connection has gone out
 * (afterEarlierAnswers): pipelined answers leave in request order (RFC 9112 §9.3.2), so a
 * complete request read with the bad bytes still gets its own answer, and the error answer is
 * the last one on the connection. It answers the request whose bytes broke the parser when that
 * one was handled already (a body that went wrong or timed out), with that response's headers.
 */
function answerNow(
  code: string,
  socket: SocketWithResponse,
  closer: LingeringClose,
  onAnswer: (answer: ClientErrorAnswer) => void,
): void {
  // Closed meanwhile, or an earlier answer said `Connection: close` and the connection is ending.
  if (!socket.writable || lingerOf(socket as Socket) !== undefined) return;
  // null (not undefined) after a finished response: a later request's error on a keep-alive
  // connection then has no response in flight; otherwise it is the request whose bytes broke
  // the parser (afterEarlierAnswers waited for the complete ones).
  const inFlight = socket._httpMessage ?? undefined;
  // Its answer has begun: no clean answer can follow.
  if (inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, message] = statusFor(code);
  // The in-flight response's headers (request id, CORS) only when this error is about its own
  // request, e.g. its body timing out; a complete request's are not another request's.
  const headers = inFlight !== undefined ? headersOf(inFlight) : baseHeaders();
  const requestId = String(headers[REQUEST_ID_KEY] ?? randomUuid());
  const answer = serialize(status, message, { ...headers, [REQUEST_ID_KEY]: requestId });
  // The client may still be sending (a bad body, a slow upload): the answer, then a close in
  // stages, so the client reads the answer instead of a reset.
  socket.write(answer);
  const linger = closer.closeAfterAnswer(socket as Socket);
  if (inFlight !== undefined) {
    // Its access line (logged as aborted when the socket closes) carries this status.
    inFlight.statusCode = status;
    recordErrorReason(inFlight, message);
    answeredOnSocket.add(inFlight);
    return;
  }
  reportWhenClosed(linger, { status, code, requestId }, onAnswer);
}

/** The methods the service answers, for the `Allow` of a CONNECT's 405. */
const SERVICE_METHODS = 'GET, HEAD, OPTIONS, POST';

/**
 * `CONNECT host:port` asks for a tunnel, which this service (no proxy) never opens. Node would
 * destroy the socket without a word; here it gets the 405 envelope with `Allow`, the security
 * headers and a request id, then a close in stages like every other early answer.
 */
export function answerConnect(
  server: Server,
  closer: LingeringClose,
  onAnswer: (answer: ClientErrorAnswer) => void,
): void {
  server.on('connect', (req: IncomingMessage) => {
    // After the answers to the requests read before it, like a parser error's.
    afterEarlierAnswers(req.socket, () => {
      const socket = req.socket;
      if (!socket.writable) return;
      const requestId = randomUuid();
      const answer = serialize(405, ErrorMessages.methodNotAllowed, {
        ...baseHeaders(),
        [REQUEST_ID_KEY]: requestId,
        Allow: SERVICE_METHODS,
      });
      socket.write(answer);
      reportWhenClosed(
        closer.closeAfterAnswer(socket),
        { status: 405, code: 'CONNECT', requestId },
        onAnswer,
      );
    });
  });
}

/**
 * Runs `then` once the answers to every complete request read before on this connection are out
 * (at once when there are none): Node hands the connection to the next queued response as soon
 * as one is done, so waiting for the one being written, again and again, waits for them all.
 */
function afterEarlierAnswers(socket: SocketWithResponse, then: () => void): void {
  const inFlight = socket._httpMessage ?? undefined;
  if (inFlight?.req.complete === true && !inFlight.destroyed) {
    inFlight.once('close', () => afterEarlierAnswers(socket, then));
  } else then();
}

/** The answer's report (its log line) once the connection is closed, with what it discarded. */
function reportWhenClosed(
  linger: Linger | undefined,
  answer: ClientErrorAnswer,
  onAnswer: (answer: ClientErrorAnswer) => void,
): void {
  if (linger === undefined) onAnswer(answer);
  else linger.whenDone(() => onAnswer({ ...answer, lingered: linger.discarded }));
}

function statusFor(code: string): readonly [number, string] {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, ErrorMessages.requestTimeout];
    case 'HPE_HEADER_OVERFLOW':
      return [431, ErrorMessages.headersTooLarge];
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return [413, ErrorMessages.payloadTooLarge];
    default:
      return [400, ErrorMessages.badRequest];
  }
}

/** A response's headers so far: its fixed lines (fixed-header-lines.ts) and what was set. */
function headersOf(res: ServerResponse): OutgoingHttpHeaders {
  const fixed = fixedLinesOf(res);
  return fixed === undefined
    ? res.getHeaders()
    : {
        ...Object.fromEntries(fixed.pairs),
        ...Object.fromEntries(extraLinesOf(res)),
        ...res.getHeaders(),
      };
}

function baseHeaders(): OutgoingHttpHeaders {
  return Object.fromEntries(API_HEADERS);
}

function serialize(status: number, error: string, headers: OutgoingHttpHeaders): string {
  const body = JSON.stringify({ statusCode: status, error } satisfies ErrorEnvelope);
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || FRAMING.has(name.toLowerCase())) continue;
    for (const item of Array.isArray(value) ? value : [value]) head += `${name}: ${item}\r\n`;
  }
  head += 'Content-Type: application/json; charset=utf-8\r\n';
  head += `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  return head + body;
}
