import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { freePort } from './spawn-service';

/** Debian's package (`apt-get install redis-server`; CI's .ci/run installs it). */
export const REDIS_BIN = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';

export interface RedisServer {
  /** `redis://127.0.0.1:<port>/0` */
  readonly url: string;
  readonly port: number;
  /** Kills the server (SIGKILL: an outage, not a shutdown); start() brings it back, empty. */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP / SIGCONT: a server that holds connections open but answers nothing. */
  freeze(): void;
  thaw(): void;
  /** Runs one command (inline protocol) and returns the raw reply. */
  command(line: string): Promise<string>;
}

/**
 * A real redis-server on a free loopback port, in memory only (no RDB, no AOF), started by the
 * test itself.
 */
export async function startRedis(): Promise<RedisServer> {
  if (!existsSync(REDIS_BIN)) {
    throw new Error(`${REDIS_BIN} not found: apt-get install -y redis-server`);
  }
  const port = await freePort();
  let child: ChildProcess | undefined;
  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    async start() {
      child = spawn(
        REDIS_BIN,
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      );
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          if ((await server.command('PING')).startsWith('+PONG')) return;
        } catch {
          // not listening yet
        }
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(`redis-server did not start on port ${port}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async kill() {
      const running = child;
      if (running === undefined || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGCONT');
      running.kill('SIGKILL');
      await exited;
    },
    freeze: () => child?.kill('SIGSTOP'),
    thaw: () => child?.kill('SIGCONT'),
    command: (line) =>
      new Promise((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1');
        let reply = '';
        socket.setTimeout(2000, () => socket.destroy(new Error('redis command timed out')));
        socket.on('connect', () => socket.write(`${line}\r\n`));
        socket.on('data', (data: Buffer) => {
          reply += data.toString();
          if (reply.endsWith('\r\n')) socket.end();
        });
        socket.on('close', () => resolve(reply));
        socket.on('error', reject);
      }),
  };
  await server.start();
  return server;
}
