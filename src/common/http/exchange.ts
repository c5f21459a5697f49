import type { ServerResponse } from 'node:http';
import type { InFlightLinks } from './in-flight-list';
import { messageSlot } from './message-slot';

/**
 * What the service knows of one request from its first byte to its last: read once before
 * routing, then by the early answers, the access log and the metrics when the response is done.
 * One small object per request instead of several slots, closures and header lookups.
 */
export class Exchange implements InFlightLinks<Exchange> {
  /** performance.now() when the request's headers had arrived. */
  readonly start = performance.now();
  /**
   * The response must close the connection: a body the service will never read (not JSON), a
   * request that makes no sense as HTTP, or a request that came in while the server drains.
   */
  closeConnection: boolean;
  /** Body bytes of an answer written in one writeHead (its Content-Length is not in getHeader). */
  bytes: number | undefined = undefined;
  /** performance.now() when the response was done, set when its access line must wait. */
  end: number | undefined = undefined;
  /** Request bytes discarded while the connection closed in stages (lingering-close.ts). */
  lingered: number | undefined = undefined;
  /** The `error` of the envelope the response carries (recordErrorReason). */
  errorReason: string | undefined = undefined;
  /** The client's address (clientAddress(): the socket's peer, or per TRUST_PROXY). */
  client: string | undefined = undefined;
  /** Waiting for its connection's turn (pipeline-limit.ts): not started yet. */
  waiting = false;
  /** The response, while the pre-routing server lists the exchange among those in flight. */
  response: ServerResponse | undefined = undefined;
  prevInFlight: Exchange | undefined = undefined;
  nextInFlight: Exchange | undefined = undefined;

  constructor(
    /** The request id, echoed as X-Request-Id (requestIdFor). */
    readonly id: string,
    /** The request's path as the router will see it (requestPath); undefined when unusable. */
    readonly path: string | undefined,
    closeConnection: boolean,
  ) {
    this.closeConnection = closeConnection;
  }
}

const slot = messageSlot<Exchange, ServerResponse>('exchange');

export const attachExchange = slot.set;
/** The response's exchange; undefined for a response the pre-routing server did not see. */
export const exchangeOf = slot.get;

/** The id of the request a response answers, for log lines written while it is handled. */
export function requestIdOf(res: ServerResponse): string | undefined {
  return exchangeOf(res)?.id;
}
