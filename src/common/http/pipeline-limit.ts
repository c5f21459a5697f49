import type { Socket } from 'node:net';

/**
 * Requests of one connection the service works on at once. Browsers and HTTP clients send one
 * request at a time per connection, or pipeline a few; more is a client that sends faster than
 * it reads its answers.
 */
export const MAX_IN_FLIGHT_PER_CONNECTION = 32;

/**
 * Requests of one connection waiting for their turn, at most: Node's parser emits every request
 * of a read (up to 64 KiB, ~3,600 of the shortest requests) before it can stop, so a client
 * whose requests go past this has kept sending after the connection stopped reading. It is cut.
 */
export const MAX_WAITING_PER_CONNECTION = 4096;

/** What the limit needs of a request waiting for its turn. */
export interface Waiting {
  /** True while it waits; the limit clears it when the request's turn comes. */
  waiting: boolean;
}

/** The parts of Node's HTTP server state on a socket that pausing it uses (lib/_http_server.js). */
type HttpSocket = Socket & {
  _paused?: boolean;
  parser?: { pause(): void; resume(): void } | null;
  /** This connection's ConnectionTurns (of the limit's item type). */
  [CONNECTION]?: unknown;
};

const CONNECTION = Symbol('pipeline-limit');

/** One connection's requests: how many are being worked on, and those waiting (in order). */
class ConnectionTurns<T extends Waiting> {
  active = 0;
  /** Whether the socket's 'resume' listener (keepPausedWhileWaiting) is on. */
  guarded = false;
  /** Waiting requests and where each goes when its turn comes, in pairs; head is the next. */
  readonly queue: (T | ((item: T) => void) | undefined)[] = [];
  head = 0;

  get waitingCount(): number {
    return (this.queue.length - this.head) / 2;
  }
}

/**
 * Works on at most `MAX_IN_FLIGHT_PER_CONNECTION` requests of a connection at once, in the order
 * they came; the others wait, as Node parsed them, until an earlier one is done.
 *
 * Why: Node parses every pipelined request of a read and hands each to the server at once, and
 * the service then builds each one's answer, which waits in memory while the client does not
 * read. 20 connections that each sent 2 MB of tiny requests and read nothing held ~500–700 MiB
 * (NestJS + Express itself ~400 MiB). A request waiting here costs only what Node already built
 * for it (~1.7 KB), and the connection stops being read (as Node stops it when answers back up)
 * until its waiting requests are started; a connection that keeps sending past
 * `MAX_WAITING_PER_CONNECTION` anyway is closed. Docs: docs/operations.md.
 */
export class PipelineLimit<T extends Waiting> {
  constructor(
    private readonly maxActive = MAX_IN_FLIGHT_PER_CONNECTION,
    private readonly maxWaiting = MAX_WAITING_PER_CONNECTION,
  ) {}

  /**
   * A new request on `socket`: true to start it now; otherwise it waits, and `start` runs with
   * it when its turn comes (never, if the connection closes first).
   */
  admit(socket: Socket, item: T, start: (item: T) => void): boolean {
    const httpSocket = socket as HttpSocket;
    let turns = httpSocket[CONNECTION] as ConnectionTurns<T> | undefined;
    if (turns === undefined) {
      turns = new ConnectionTurns<T>();
      httpSocket[CONNECTION] = turns;
    }
    if (turns.active < this.maxActive && turns.waitingCount === 0) {
      turns.active++;
      return true;
    }
    if (turns.waitingCount >= this.maxWaiting) {
      socket.destroy();
      return false;
    }
    item.waiting = true;
    turns.queue.push(item, start);
    if (!turns.guarded) {
      turns.guarded = true;
      socket.on('resume', keepPausedWhileWaiting);
    }
    pauseReading(httpSocket);
    return false;
  }

  /** A request of `socket` is done (answered, aborted or cut): the next one's turn, if any. */
  done(socket: Socket, item: T): void {
    // A waiting request is only ever done when its connection closed: nothing more to start.
    if (item.waiting) return;
    const httpSocket = socket as HttpSocket;
    const turns = httpSocket[CONNECTION] as ConnectionTurns<T> | undefined;
    if (turns === undefined) return;
    turns.active--;
    if (turns.waitingCount === 0) return;
    if (socket.destroyed) {
      turns.queue.length = 0;
      turns.head = 0;
      return;
    }
    const next = turns.queue[turns.head] as T;
    const start = turns.queue[turns.head + 1] as (item: T) => void;
    // Not kept once started: the array lives as long as the connection.
    turns.queue[turns.head] = turns.queue[turns.head + 1] = undefined;
    turns.head += 2;
    if (turns.waitingCount === 0) {
      turns.queue.length = 0;
      turns.head = 0;
      resumeReading(httpSocket);
    }
    next.waiting = false;
    turns.active++;
    start(next);
  }
}

/**
 * Node's own pause, as when answers back up (parserOnIncoming in lib/_http_server.js): no more
 * reads, and the parser stops after the bytes it is parsing now.
 */
function pauseReading(socket: HttpSocket): void {
  if (socket._paused === true) return;
  socket._paused = true;
  socket.pause();
}

/**
 * Node resumes a socket it sees no reason to hold (socketOnDrain, once its queued answers are
 * written), whatever waits here; Node's 'resume' listener starts the reads, and this one, in
 * the same tick, stops them again, before any read can happen.
 */
function keepPausedWhileWaiting(this: HttpSocket): void {
  const turns = this[CONNECTION] as ConnectionTurns<Waiting> | undefined;
  if (turns === undefined || turns.waitingCount === 0 || this._paused === true) return;
  this.parser?.pause();
  pauseReading(this);
}

/** What Node does when answers stop backing up (socketOnDrain in lib/_http_server.js). */
function resumeReading(socket: HttpSocket): void {
  if (socket._paused !== true) return;
  socket._paused = false;
  socket.parser?.resume();
  socket.resume();
}
