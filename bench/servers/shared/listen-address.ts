/** Loopback only: the benchmark must never expose a server beyond this machine. */
export const HOST = '127.0.0.1';

/** The runner picks a free port per start, so a missing or bad PORT is a runner bug: fail loudly. */
export function portFromEnv(): number {
  const port = Number(process.env.PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`PORT must be a TCP port number, got ${JSON.stringify(process.env.PORT)}`);
  }
  return port;
}
