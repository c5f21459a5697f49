import type { IncomingMessage, Server } from 'node:http';
import { Socket } from 'node:net';

/** How a connection closed with request bytes unread is closed in stages (RFC 9112 §9.6). */
export interface LingerLimits {
  /** How long to keep reading (and discarding) after the answer; 0 = close at once. */
  readonly timeoutMs: number;
  /** How many discarded bytes end the linger early. */
  readonly maxBytes: number;
}

/** One connection closing in stages: what it discarded, and who waits for its end. */
export class Linger {
  /** Request bytes read and thrown away after the answer. */
  discarded = 0;
  done = false;
  private waiting: (() => void)[] = [];

  /** Runs `then` once the connection is closed (at once when it already is). */
  whenDone(then: () => void): void {
    if (this.done) then();
    else this.waiting.push(then);
  }

  finish(): void {
    if (this.done) return;
    this.done = true;
    const waiting = this.waiting;
    this.waiting = [];
    for (const then of waiting) then();
  }
}

/** The parts of Node's HTTP parser a socket carries that the detach below needs. */
interface HttpParser {
  incoming: IncomingMessage | null;
  _consumed?: boolean;
  unconsume?(): void;
}
/** The socket's libuv stream, as net.Socket drives it (lib/net.js, tryReadStart). */
interface StreamHandle {
  reading?: boolean;
  readStart?(): number;
}
type HttpSocket = Socket & {
  parser?: HttpParser | null;
  _paused?: boolean;
  _handle?: StreamHandle | null;
};

const lingering = new WeakMap<Socket, Linger>();
/** Node's own: FIN once written, then close at once (always called with a socket as `this`). */
// eslint-disable-next-line @typescript-eslint/unbound-method
const netDestroySoon = Socket.prototype.destroySoon;

/** The connection's linger, while or after it closed in stages; undefined if it did not. */
export function lingerOf(socket: Socket | null | undefined): Linger | undefined {
  return socket == null ? undefined : lingering.get(socket);
}

/** Closes connections in stages; `closeAfterAnswer` for answers written on the socket itself. */
export interface LingeringClose {
  closeAfterAnswer(socket: Socket): Linger | undefined;
}

/**
 * Node's server ends a connection whose response says `Connection: close` with
 * `socket.destroySoon()`: FIN once the answer is written, then close(2) at once. When the client
 * is still uploading a body the service chose not to read (a 413, a refused origin, a 400), its
 * bytes are left unread in the socket, and closing a socket with unread data sends RST: the
 * client's TCP stack then throws away the answer it had not read yet (nodejs/node#12339). nginx
 * closes in stages instead (`lingering_close`), and so does this: the answer, FIN, then read and
 * discard what the client still sends until it closes its side, `timeoutMs` passes or `maxBytes`
 * were discarded, whichever comes first; only then close.
 *
 * Every socket of `server` gets its own `destroySoon` (one assignment per connection), which
 * lingers when the request being parsed is not complete, i.e. body bytes may still come, and
 * otherwise does what Node does. A lingering socket is taken from Node's HTTP parser first, the
 * way Node hands a socket to an `upgrade` listener: nothing it sends afterwards is parsed, so a
 * pipelined request can never be read out of leftover body bytes.
 */
export function closeInStages(server: Server, limits: LingerLimits): LingeringClose {
  // LINGER_TIMEOUT_MS=0: Node's own close, FIN once written, then close(2).
  if (limits.timeoutMs === 0) return { closeAfterAnswer: (socket) => void socket.destroySoon() };
  const destroySoon = function (this: HttpSocket): void {
    const incoming = this.parser?.incoming;
    if (incoming == null || incoming.complete) netDestroySoon.call(this);
    else linger(this, limits);
  };
  server.on('connection', (socket: Socket) => {
    socket.destroySoon = destroySoon;
  });
  return { closeAfterAnswer: (socket) => linger(socket, limits) };
}

function linger(socket: HttpSocket, limits: LingerLimits): Linger {
  const existing = lingering.get(socket);
  if (existing !== undefined) return existing;
  const state = new Linger();
  lingering.set(socket, state);
  if (socket.destroyed) {
    state.finish();
    return state;
  }
  detachFromHttp(socket);
  const close = (): void => {
    if (state.done) return;
    clearTimeout(timer);
    socket.destroy();
    state.finish();
  };
  // The client closed its side: once the answer is handed to the kernel, close(2) sends no RST.
  const closeWhenWritten = (): void => {
    if (socket.writableFinished) close();
    else socket.once('finish', close);
  };
  // Counts against a shutdown too: server.close() waits for this socket at most this long.
  const timer = setTimeout(close, limits.timeoutMs);
  socket.on('data', (chunk: Buffer) => {
    state.discarded += chunk.length;
    if (state.discarded > limits.maxBytes) close();
  });
  socket.on('end', closeWhenWritten);
  socket.on('close', close);
  socket.on('error', close);
  socket.end();
  if (socket.readableEnded) closeWhenWritten();
  else {
    socket.resume();
    if (!readAgain(socket)) close();
  }
  return state;
}

/**
 * Node's parser stops the socket's reads once the request it feeds holds more unread body than its
 * high-water mark (nobody reads the body of a request answered without it). With the parser
 * detached, `resume()` alone does not start them again (the stream still counts a read in
 * progress), and the linger would read nothing until its timeout, then close with the client's
 * bytes unread: the reset it exists to avoid. False when the socket cannot read any more.
 */
function readAgain(socket: HttpSocket): boolean {
  const handle = socket._handle;
  if (handle == null || handle.reading !== false || typeof handle.readStart !== 'function') {
    return true;
  }
  handle.reading = true;
  return handle.readStart() === 0;
}

/**
 * What Node does before it hands a socket to an `upgrade` listener (lib/_http_server.js,
 * onParserExecuteCommon): the parser stops reading the socket and Node's data, end, drain and
 * timeout listeners go. Node's 'close' listener stays: it frees the parser and the server's count
 * of connections when the socket finally closes.
 */
function detachFromHttp(socket: HttpSocket): void {
  const parser = socket.parser;
  if (parser?._consumed === true && typeof parser.unconsume === 'function') {
    parser.unconsume();
    parser._consumed = false;
  }
  for (const event of ['data', 'end', 'drain', 'timeout', 'pause', 'resume'] as const) {
    socket.removeAllListeners(event);
  }
  socket.setTimeout(0);
  socket._paused = false;
}
