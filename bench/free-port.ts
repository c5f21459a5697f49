import { createServer } from 'node:net';
import { LOOPBACK } from './http-probe';

/**
 * Asks the kernel for an unused loopback port. The port is released before the server binds it,
 * a small race that is acceptable on a benchmark machine and keeps each start independent.
 */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the allocated port'));
      });
    });
  });
}

/** Two distinct unused loopback ports (the service's and its metrics listener's). */
export async function findTwoFreePorts(): Promise<[number, number]> {
  const first = await findFreePort();
  let second = await findFreePort();
  while (second === first) second = await findFreePort();
  return [first, second];
}
