import { IncomingHttpHeaders, request } from 'node:http';

/** Every request the runner makes goes here: loopback is hard-wired, not configurable. */
export const LOOPBACK = '127.0.0.1';

export interface ProbeRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
}

export interface ProbeResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request on a fresh connection, so no probe can ride on another's keep-alive socket. */
export function probe(port: number, req: ProbeRequest): Promise<ProbeResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
    const outgoing = request(
      { host: LOOPBACK, port, method: req.method, path: req.path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    outgoing.setTimeout(req.timeoutMs ?? 2000, () =>
      outgoing.destroy(new Error(`${req.method} ${req.path} timed out`)),
    );
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

/** Parses a JSON body without trusting it; undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
