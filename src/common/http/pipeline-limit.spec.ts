import { EventEmitter } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { PipelineLimit, type Waiting } from './pipeline-limit';

interface Item extends Waiting {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}

const ONE_REQUEST = 'GET /x HTTP/1.1\r\nHost: h\r\n\r\n';

/**
 * A real node:http server whose requests go through a PipelineLimit; `answer` decides when and
 * how each started request is answered.
 */
async function serverWith(
  limit: PipelineLimit<Item>,
  answer: (item: Item) => void,
): Promise<{ port: number; started: Item[]; sockets: Socket[]; close(): Promise<void> }> {
  const started: Item[] = [];
  const sockets: Socket[] = [];
  const start = (item: Item): void => {
    started.push(item);
    answer(item);
  };
  const server = http.createServer((req, res) => {
    const item: Item = { waiting: false, req, res };
    res.on('close', () => limit.done(req.socket, item));
    if (limit.admit(req.socket, item, start)) start(item);
  });
  server.on('connection', (socket: Socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    started,
    sockets,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function answerWith(item: Item, body: string): void {
  item.res.writeHead(200, { 'Content-Length': Buffer.byteLength(body) });
  item.res.end(body);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Connects, writes `data` in one go without reading; `read()` then collects the answers. */
function floodClient(port: number, data: string) {
  const socket = net.connect(port, '127.0.0.1');
  socket.pause();
  socket.on('connect', () => socket.write(data));
  let text = '';
  let closed = false;
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined);
  return {
    socket,
    get closed() {
      return closed;
    },
    /** Starts reading; resolves with every answer's body once `count` arrived (or 20 s passed). */
    read(count: number): Promise<string[]> {
      let seen = 0;
      let scanned = 0;
      socket.setEncoding('latin1');
      return new Promise((resolve) => {
        const finish = () => {
          clearTimeout(timer);
          socket.destroy();
          resolve(text.split(/HTTP\/1\.1 200 OK\r\n[\s\S]*?\r\n\r\n/).slice(1));
        };
        const timer = setTimeout(finish, 20_000);
        socket.on('close', finish);
        socket.on('data', (chunk: string) => {
          text += chunk;
          for (let at = text.indexOf('HTTP/1.1 ', scanned); at !== -1;) {
            seen++;
            scanned = at + 1;
            at = text.indexOf('HTTP/1.1 ', scanned);
          }
          // The last answer's (non-empty, one-write) body has arrived too.
          if (seen >= count && /\r\n\r\n[^\r\n]+$/.test(text.slice(-1000))) finish();
        });
        socket.resume();
      });
    },
  };
}

describe('PipelineLimit on a real node:http server', () => {
  it('starts at most maxActive requests of a connection, the next as each is done, in order', async () => {
    const held: Item[] = [];
    const server = await serverWith(new PipelineLimit<Item>(4), (item) => held.push(item));
    try {
      const client = floodClient(
        server.port,
        Array.from({ length: 10 }, (_, i) => ONE_REQUEST.replace('/x', `/${i}`)).join(''),
      );
      await sleep(200);
      expect(server.started.map((item) => item.req.url)).toEqual(['/0', '/1', '/2', '/3']);
      // Done in order, one at a time: each frees a place for the next one that waits.
      for (let answered = 0; answered < 10; answered++) {
        answerWith(held[answered], `#${answered}`);
        await sleep(20);
        expect(server.started).toHaveLength(Math.min(10, answered + 5));
      }
      expect(await client.read(10)).toEqual(Array.from({ length: 10 }, (_, i) => `#${i}`));
    } finally {
      await server.close();
    }
  });

  it('stops reading a connection while requests wait, so a flood costs one read, not its size', async () => {
    // Nothing is answered: without the pause, Node would read and parse all 4 MB.
    const server = await serverWith(new PipelineLimit<Item>(4), () => undefined);
    try {
      const flood = ONE_REQUEST.repeat(Math.ceil(4_000_000 / ONE_REQUEST.length));
      const client = floodClient(server.port, flood);
      await sleep(500);
      const [socket] = server.sockets;
      expect(server.started).toHaveLength(4);
      // Node reads at most 64 KiB at a time.
      expect(socket.bytesRead).toBeLessThanOrEqual(2 * 65536);
      expect(client.closed).toBe(false);
    } finally {
      await server.close();
    }
  });

  it('keeps the connection paused when Node itself would resume it, and answers every request', async () => {
    // Answers written a turn later (as the service's batches do) queue up in Node, whose
    // socketOnDrain resumes the socket once they are written; without the guard the reads go on
    // while requests wait, and the connection is cut for having too many waiting.
    const server = await serverWith(new PipelineLimit<Item>(32, 4096), (item) => {
      setImmediate(() => answerWith(item, 'x'.repeat(600)));
    });
    try {
      // ~6 reads' worth, and 7 MB of answers, more than the sockets' buffers take: each read
      // Node resumed would add ~2,000 waiting requests.
      const count = 12_000;
      const client = floodClient(server.port, ONE_REQUEST.repeat(count));
      await sleep(1000);
      expect(client.closed).toBe(false);
      const bodies = await client.read(count);
      expect(bodies).toHaveLength(count);
    } finally {
      await server.close();
    }
  }, 30_000);
});

/** Just what the limit touches on a socket: pause, resume, destroy, and the 'resume' event. */
class FakeSocket extends EventEmitter {
  _paused = false;
  destroyed = false;
  pauses = 0;
  pause(): this {
    this.pauses++;
    return this;
  }
  resume(): this {
    return this;
  }
  destroy(): this {
    this.destroyed = true;
    return this;
  }
}

describe('PipelineLimit bookkeeping', () => {
  const item = (): Waiting => ({ waiting: false });
  const asSocket = (fake: FakeSocket) => fake as unknown as Socket;

  it('cuts a connection that has more waiting requests than allowed', () => {
    const limit = new PipelineLimit<Waiting>(1, 2);
    const socket = new FakeSocket();
    const start = jest.fn();
    expect(limit.admit(asSocket(socket), item(), start)).toBe(true);
    expect(limit.admit(asSocket(socket), item(), start)).toBe(false);
    expect(limit.admit(asSocket(socket), item(), start)).toBe(false);
    expect(socket.destroyed).toBe(false);
    expect(limit.admit(asSocket(socket), item(), start)).toBe(false);
    expect(socket.destroyed).toBe(true);
  });

  it('starts nothing more once the connection is gone, and a waiting request done frees nothing', () => {
    const limit = new PipelineLimit<Waiting>(1, 10);
    const socket = new FakeSocket();
    const start = jest.fn();
    const first = item();
    const second = item();
    limit.admit(asSocket(socket), first, start);
    limit.admit(asSocket(socket), second, start);
    expect(second.waiting).toBe(true);
    socket.destroyed = true;
    limit.done(asSocket(socket), second);
    limit.done(asSocket(socket), first);
    expect(start).not.toHaveBeenCalled();
  });

  it('a new request waits behind those already waiting, even when a place is free', () => {
    const limit = new PipelineLimit<Waiting>(1, 10);
    const socket = new FakeSocket();
    const order: string[] = [];
    const named = (name: string) => Object.assign(item(), { name });
    const start = (started: Waiting) => order.push((started as Waiting & { name: string }).name);
    const a = named('a');
    limit.admit(asSocket(socket), a, start);
    limit.admit(asSocket(socket), named('b'), start);
    limit.admit(asSocket(socket), named('c'), start);
    limit.done(asSocket(socket), a);
    expect(order).toEqual(['b']);
    expect(socket._paused).toBe(true);
    // Node's socketOnDrain resumes it: the guard pauses it again while 'c' waits.
    socket._paused = false;
    socket.emit('resume');
    expect(socket._paused).toBe(true);
  });
});
