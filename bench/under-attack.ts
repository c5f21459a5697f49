import { Agent, request } from 'node:http';
import { LOOPBACK } from './http-probe';
import { RequestShape, SCENARIOS } from './scenarios';
import { median } from './stats';

/** The bodies of the attack table in issue 9, each under 1 MiB. */
export interface HostileBody {
  id: string;
  label: string;
  body: string;
}

const nested = (open: string, close: string, depth: number, inner = '') =>
  open.repeat(depth) + inner + close.repeat(depth);

export const HOSTILE_BODIES: readonly HostileBody[] = [
  {
    id: 'keys',
    label: '60,000 unknown keys',
    body: `{"name":"a",${Array.from({ length: 60_000 }, (_, i) => `"key${i}":1`).join(',')}}`,
  },
  {
    id: 'deep-field',
    label: 'unknown field 400k arrays deep',
    body: `{"name":"a","x":${nested('[', ']', 400_000)}}`,
  },
  {
    id: 'deep-name',
    label: 'name 300k arrays deep',
    body: `{"name":${nested('[', ']', 300_000)}}`,
  },
  {
    id: 'deep-objects',
    label: '100k nested objects',
    body: `{"name":"a","x":${nested('{"a":', '}', 100_000, '1')}}`,
  },
  {
    id: 'objects',
    label: '80,000 objects in an array',
    body: `{"name":"a","x":[${Array(80_000).fill('{"i":0}').join(',')}]}`,
  },
];

export interface HostileAlone {
  id: string;
  label: string;
  bytes: number;
  status?: number;
  /**
   * From the moment the last byte of the request was handed to the kernel to the end of the
   * answer, one request at a time on loopback: the server's time, as near as a client can see it.
   */
  meanMs: number;
  maxMs: number;
}

export interface UnderAttackResult {
  /** Each hostile body on an idle server, sequentially. */
  alone: HostileAlone[];
  /** The greeting client while 3 hostile clients loop the bodies above. */
  legit: { requests: number; p50Ms: number; p99Ms: number; maxMs: number; non2xx: number };
  hostile: { requests: number; meanMs: number; statusCounts: Record<string, number> };
  seconds: number;
}

export const HOSTILE_CLIENTS = 3;
const ALONE_REPEATS = 10;

/**
 * One POST on a fresh connection; resolves with its status and the server-side time. The service
 * answers these bodies from their first chunk and closes the connection, so the rest of the write
 * can fail with EPIPE or ECONNRESET: after the answer has arrived that is expected and ignored;
 * before it, the answer was lost with the socket, and the request is sent again (at most twice).
 */
async function timeOne(port: number, body: string): Promise<{ status: number; ms: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await timeOnce(port, body);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (attempt === 3 || (code !== 'EPIPE' && code !== 'ECONNRESET')) throw error;
    }
  }
}

function timeOnce(port: number, body: string): Promise<{ status: number; ms: number }> {
  return new Promise((resolve, reject) => {
    let sentAt = 0;
    let answered = false;
    const outgoing = request(
      {
        host: LOOPBACK,
        port,
        method: 'POST',
        path: '/greet',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        agent: false,
      },
      (res) => {
        answered = true;
        // Answered before the last byte went out: the server's time is from the answer's arrival.
        if (sentAt === 0) sentAt = performance.now();
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, ms: performance.now() - sentAt }),
        );
        res.on('error', reject);
      },
    );
    outgoing.on('finish', () => (sentAt = performance.now()));
    outgoing.setTimeout(30_000, () => outgoing.destroy(new Error('hostile request timed out')));
    outgoing.on('error', (error) => {
      if (!answered) reject(error);
    });
    outgoing.end(body);
  });
}

async function measureAlone(port: number, hostile: HostileBody): Promise<HostileAlone> {
  const times: number[] = [];
  let status: number | undefined;
  for (let i = 0; i < ALONE_REPEATS; i++) {
    const one = await timeOne(port, hostile.body);
    times.push(one.ms);
    status = one.status;
  }
  return {
    id: hostile.id,
    label: hostile.label,
    bytes: Buffer.byteLength(hostile.body),
    status,
    meanMs: times.reduce((sum, ms) => sum + ms, 0) / times.length,
    maxMs: Math.max(...times),
  };
}

interface LoopResult {
  latenciesMs: number[];
  statusCounts: Record<string, number>;
  errors: number;
}

/**
 * One request on the client's keep-alive connection; resolves with the status once the answer has
 * been read. An error after the answer arrived (the service answers a hostile body early and
 * closes, so the rest of the write fails) is expected and ignored.
 */
function send(port: number, shape: RequestShape, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const headers: Record<string, string | number> = { ...shape.headers };
    if (shape.body !== undefined) headers['content-length'] = Buffer.byteLength(shape.body);
    const outgoing = request(
      { host: LOOPBACK, port, method: shape.method, path: shape.path, headers, agent },
      (res) => {
        answered = true;
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    outgoing.setTimeout(30_000, () => outgoing.destroy(new Error('request timed out')));
    outgoing.on('error', (error) => {
      if (!answered) reject(error);
    });
    outgoing.end(shape.body);
  });
}

/**
 * One client, one request in flight, cycling through `shapes` for `seconds`; a connection the
 * server closed is replaced by the agent. Every answer's time is from the request's start.
 */
async function loopClient(
  port: number,
  shapes: readonly RequestShape[],
  seconds: number,
): Promise<LoopResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const result: LoopResult = { latenciesMs: [], statusCounts: {}, errors: 0 };
  const deadline = performance.now() + seconds * 1000;
  try {
    for (let i = 0; performance.now() < deadline; i++) {
      const startedAt = performance.now();
      try {
        const status = await send(port, shapes[i % shapes.length], agent);
        result.latenciesMs.push(performance.now() - startedAt);
        result.statusCounts[status] = (result.statusCounts[status] ?? 0) + 1;
      } catch {
        result.errors++;
      }
    }
  } finally {
    agent.destroy();
  }
  return result;
}

function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return 0;
  return sortedMs[Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1)];
}

/**
 * Responsiveness under attack: one client greets (the allowed POST of scenario (a), one
 * connection) while HOSTILE_CLIENTS clients loop the hostile bodies, each on its own connection.
 */
export async function runUnderAttack(port: number, seconds: number): Promise<UnderAttackResult> {
  const alone: HostileAlone[] = [];
  for (const hostile of HOSTILE_BODIES) alone.push(await measureAlone(port, hostile));

  const greet = SCENARIOS.find((s) => s.id === 'allowed');
  if (greet === undefined) throw new Error('scenario (a) is missing');
  const hostileShapes = HOSTILE_BODIES.map(({ body }): RequestShape => ({
    method: 'POST',
    path: '/greet',
    headers: { 'content-type': 'application/json' },
    body,
  }));
  // Each hostile client cycles through every body, starting at a different one.
  const attackers = Array.from({ length: HOSTILE_CLIENTS }, (_, i) => {
    const offset = i % hostileShapes.length;
    const shapes = [...hostileShapes.slice(offset), ...hostileShapes.slice(0, offset)];
    return loopClient(port, shapes, seconds);
  });
  const [legit, ...hostile] = await Promise.all([loopClient(port, [greet], seconds), ...attackers]);
  const sorted = [...legit.latenciesMs].sort((a, b) => a - b);
  const hostileTimes = hostile.flatMap((r) => r.latenciesMs);
  const statusCounts: Record<string, number> = {};
  for (const result of hostile) {
    for (const [status, count] of Object.entries(result.statusCounts)) {
      statusCounts[status] = (statusCounts[status] ?? 0) + count;
    }
  }
  return {
    alone,
    legit: {
      requests: sorted.length,
      p50Ms: median(sorted) ?? 0,
      p99Ms: percentile(sorted, 99),
      maxMs: sorted.at(-1) ?? 0,
      non2xx: Object.entries(legit.statusCounts)
        .filter(([status]) => !status.startsWith('2'))
        .reduce((sum, [, count]) => sum + count, 0),
    },
    hostile: {
      requests: hostileTimes.length,
      meanMs:
        hostileTimes.length === 0
          ? 0
          : hostileTimes.reduce((sum, ms) => sum + ms, 0) / hostileTimes.length,
      statusCounts,
    },
    seconds,
  };
}
