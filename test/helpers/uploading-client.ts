import http from 'node:http';
import net from 'node:net';

/** What one upload got: a status and its whole body, or the error that came instead. */
export interface UploadOutcome {
  status?: number;
  headers?: http.IncomingHttpHeaders;
  body?: string;
  /** The client's error code (ECONNRESET, EPIPE, …) when no complete answer arrived. */
  error?: string;
}

export interface Upload {
  method: string;
  path: string;
  headers?: http.OutgoingHttpHeaders;
  /** Written in full, as fetch/undici, axios and most SDKs do; chunked when there is no length. */
  body: Buffer;
  chunked?: boolean;
}

/**
 * One request with Node's own http client on a fresh connection, the body written in full
 * whatever the server answers meanwhile: the client that lost answers when the server closed
 * with its bytes unread (issue 21). An answer counts only when its status and whole body arrived.
 */
export function upload(url: string, spec: Upload): Promise<UploadOutcome> {
  return new Promise((resolve) => {
    let answered: UploadOutcome | undefined;
    const framing = spec.chunked ? {} : { 'Content-Length': spec.body.length };
    const req = http.request(`${url}${spec.path}`, {
      method: spec.method,
      agent: false,
      headers: { ...framing, ...spec.headers },
    });
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => {
        answered = {
          status: res.statusCode,
          headers: res.headers,
          body: Buffer.concat(parts).toString(),
        };
        resolve(answered);
      });
      res.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? 'ERR' }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      // An error after the whole answer arrived (EPIPE while still writing) loses nothing.
      if (answered === undefined) resolve({ error: error.code ?? error.message });
    });
    if (spec.chunked) {
      req.write(spec.body);
      req.end();
    } else {
      req.end(spec.body);
    }
  });
}

export interface UploadTally {
  /** Complete answers per status. */
  statuses: Record<number, number>;
  /** Uploads that got no complete answer, per error code. */
  lost: Record<string, number>;
  lostCount: number;
  /** One complete answer, to check its envelope and headers. */
  sample?: UploadOutcome;
}

/** Runs `count` uploads, `concurrency` at a time, and counts what came back. */
export async function uploadMany(
  count: number,
  concurrency: number,
  send: () => Promise<UploadOutcome>,
): Promise<UploadTally> {
  const tally: UploadTally = { statuses: {}, lost: {}, lostCount: 0 };
  let started = 0;
  const worker = async () => {
    while (started < count) {
      started++;
      const outcome = await send();
      if (outcome.status !== undefined) {
        tally.statuses[outcome.status] = (tally.statuses[outcome.status] ?? 0) + 1;
        tally.sample ??= outcome;
      } else {
        const code = outcome.error ?? 'unknown';
        tally.lost[code] = (tally.lost[code] ?? 0) + 1;
        tally.lostCount++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return tally;
}

/**
 * Writes `head` and then `body` in full on a raw socket, reading meanwhile, and resolves with
 * everything the server sent before it closed: for requests Node's client will not send (CL and
 * TE together, CONNECT with a body). `lost` when the connection was reset before a status line.
 */
export function rawUpload(
  url: string,
  head: string,
  body: Buffer,
): Promise<{ text: string; error?: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(head);
      socket.end(body);
    });
    socket.on('data', (part: Buffer) => parts.push(part));
    const done = (error?: string) => resolve({ text: Buffer.concat(parts).toString(), error });
    socket.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
    socket.on('close', () => done());
  });
}
