import type { Server } from 'node:http';

export interface ServerTimeouts {
  readonly requestTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
}

/**
 * Node cuts a slow request (408) only when it next checks its connections, every 30 s by default:
 * a 2 s timeout could let a slow client hold its connection for 32 s. Checking at a quarter of
 * the shorter timeout (at most once a second, at least every 100 ms) makes a timeout bite within
 * about 125% of its value, for the cost of a walk over the open connections.
 */
export function connectionsCheckingIntervalFor(timeouts: ServerTimeouts): number {
  const shorter = Math.min(timeouts.requestTimeoutMs, timeouts.headersTimeoutMs);
  return Math.min(1000, Math.max(100, Math.floor(shorter / 4)));
}

/** Must run before `listen()`: Node reads the checking interval when the server starts. */
export function applyServerTimeouts(server: Server, timeouts: ServerTimeouts): void {
  server.requestTimeout = timeouts.requestTimeoutMs;
  server.headersTimeout = timeouts.headersTimeoutMs;
  // Node announces it as `Keep-Alive: timeout=<seconds>`.
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval =
    connectionsCheckingIntervalFor(timeouts);
}
