import http, { IncomingMessage, ServerResponse } from 'node:http';
import net, { AddressInfo } from 'node:net';
import { ErrorMessages } from '../error-messages';
import { REQUEST_ID_HEADER } from '../request-id';
import {
  canWriteFixedLines,
  HeaderList,
  JSON_CONTENT_TYPE,
  preparedEnvelope,
  replaceCorsHeaders,
  writeEarlyAnswer,
  writeEveryLine,
  writePassThroughHeaders,
} from './early-answer';
import { attachExchange, Exchange } from './exchange';
import { setSecurityHeaders } from './security-headers';

interface AnswerCase {
  readonly name: string;
  readonly path: string;
  readonly status: number;
  readonly cors: HeaderList;
  readonly error?: string;
  readonly extra?: readonly string[];
  readonly closeConnection?: boolean;
  /** The raw request; its body may still be on its way when the answer is written. */
  readonly request?: string;
}

const PREFLIGHT_HEADERS: HeaderList = [
  ['Access-Control-Allow-Origin', 'https://app.example.com'],
  ['Access-Control-Allow-Methods', 'GET, HEAD, POST'],
  ['Access-Control-Allow-Headers', 'content-type, x-request-id'],
  ['Access-Control-Max-Age', '60'],
  ['Access-Control-Allow-Credentials', 'true'],
  ['Vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers'],
];

const CASES: readonly AnswerCase[] = [
  { name: 'an allowed preflight', path: '/greet', status: 204, cors: PREFLIGHT_HEADERS },
  {
    name: 'a refusal',
    path: '/greet',
    status: 403,
    cors: [['Vary', 'Origin']],
    error: ErrorMessages.originNotAllowed,
  },
  {
    name: 'a 405 with Allow',
    path: '/greet',
    status: 405,
    cors: [['Vary', 'Origin']],
    error: ErrorMessages.methodNotAllowed,
    extra: ['Allow', 'POST'],
  },
  {
    name: 'a 413 while a large body is on its way',
    path: '/greet',
    status: 413,
    cors: [
      ['Access-Control-Allow-Origin', 'https://app.example.com'],
      ['Vary', 'Origin'],
    ],
    error: ErrorMessages.payloadTooLarge,
    request: 'POST /greet HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n{"name":',
  },
  {
    name: 'a 400 that closes the connection',
    path: '/greet',
    status: 400,
    cors: [],
    error: ErrorMessages.badRequest,
    closeConnection: true,
  },
  {
    name: 'an answer under /docs (helmet defaults)',
    path: '/docs',
    status: 405,
    cors: [],
    error: ErrorMessages.methodNotAllowed,
    extra: ['Allow', 'GET, HEAD'],
  },
];

/** The plain version: one setHeader per line, then the body. */
function answerPlainly(res: ServerResponse, c: AnswerCase, id: string): void {
  setSecurityHeaders(res, c.path);
  res.setHeader(REQUEST_ID_HEADER, id);
  for (const [name, value] of c.cors) res.setHeader(name, value);
  for (let i = 0; i < (c.extra?.length ?? 0); i += 2) {
    res.setHeader(c.extra![i], c.extra![i + 1]);
  }
  const body =
    c.error === undefined ? undefined : JSON.stringify({ statusCode: c.status, error: c.error });
  if (body !== undefined) {
    res.setHeader('Content-Type', JSON_CONTENT_TYPE);
    res.setHeader('Content-Length', Buffer.byteLength(body));
  }
  const req = res.req;
  const unreadLargeBody = !req.complete && Number(req.headers['content-length']) > 16 * 1024;
  if (c.closeConnection || unreadLargeBody) res.setHeader('Connection', 'close');
  res.statusCode = c.status;
  res.end(body);
}

function answerWith(write: typeof writeEarlyAnswer) {
  return (res: ServerResponse, c: AnswerCase, id: string): void => {
    const exchange = new Exchange(id, c.path, c.closeConnection ?? false);
    attachExchange(res, exchange);
    const envelope = c.error === undefined ? undefined : preparedEnvelope(c.status, c.error);
    write(res, exchange, c.status, c.cors, envelope, c.extra);
  };
}
const answerPrecomputed = answerWith(writeEarlyAnswer);
const answerEveryLine = answerWith(writeEveryLine);

/** The whole answer as bytes on the wire, Date aside. */
async function rawAnswer(
  answer: (res: ServerResponse, c: AnswerCase, id: string) => void,
  c: AnswerCase,
): Promise<string> {
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) =>
    answer(res, c, 'req-1'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      let text = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        text += chunk;
        // The head and the body it announces have arrived: done, whether or not it closes.
        const end = text.indexOf('\r\n\r\n');
        const length = /content-length: (\d+)/i.exec(text);
        if (end >= 0 && text.length >= end + 4 + Number(length?.[1] ?? 0)) {
          socket.destroy();
          resolve(text);
        }
      });
      socket.on('error', reject);
      socket.write(c.request ?? `OPTIONS ${c.path} HTTP/1.1\r\nHost: x\r\n\r\n`);
    });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

const withoutDate = (text: string) => text.replace(/^Date: .*\r\n/m, '');

/** Status line, header lines in sorted order (the order carries no meaning), body. */
function parts(text: string): { status: string; headers: string[]; body: string } {
  const [head, body] = withoutDate(text).split('\r\n\r\n');
  const [status, ...headers] = head.split('\r\n');
  return { status, headers: headers.sort(), body };
}

describe('writeEarlyAnswer', () => {
  it('writes the fixed lines as precomputed text on this Node (not the fallback)', () => {
    expect(canWriteFixedLines).toBe(true);
  });

  it.each(CASES.map((c) => [c.name, c] as const))(
    'writes %s with the same status, header lines and body as the setHeader path',
    async (_name, c) => {
      const plain = await rawAnswer(answerPlainly, c);
      const precomputed = await rawAnswer(answerPrecomputed, c);
      expect(parts(precomputed)).toEqual(parts(plain));
      expect(precomputed).toMatch(new RegExp(`^HTTP/1.1 ${c.status} `));
      // The fallback writes the very bytes of the setHeader path.
      expect(withoutDate(await rawAnswer(answerEveryLine, c))).toBe(withoutDate(plain));
    },
  );

  it('says Connection: close exactly when the body on its way is too large to skip', async () => {
    const [large, closing] = [CASES[3], CASES[4]];
    expect(await rawAnswer(answerPrecomputed, large)).toMatch(/\r\nConnection: close\r\n/);
    expect(await rawAnswer(answerPrecomputed, closing)).toMatch(/\r\nConnection: close\r\n/);
    expect(await rawAnswer(answerPrecomputed, CASES[1])).toMatch(/\r\nConnection: keep-alive\r\n/);
  });
});

describe('writePassThroughHeaders and replaceCorsHeaders', () => {
  const ALLOWED: HeaderList = [
    ['Access-Control-Allow-Origin', 'https://app.example.com'],
    ['Access-Control-Allow-Credentials', 'true'],
    ['Access-Control-Expose-Headers', 'X-Request-Id'],
    ['Vary', 'Origin'],
  ];
  const REFUSED: HeaderList = [['Vary', 'Origin']];
  const BODY = '{"greeting":"Hello, A!"}';

  /** What a platform then writes: its own headers and the body. */
  function platformAnswer(res: ServerResponse): void {
    res.setHeader('Content-Type', JSON_CONTENT_TYPE);
    res.setHeader('Content-Length', Buffer.byteLength(BODY));
    res.end(BODY);
  }

  const LIMIT_LINES = [
    'X-RateLimit-Limit',
    '20',
    'X-RateLimit-Remaining',
    '7',
    'X-RateLimit-Reset',
    '42',
  ];

  const plain = (replaceWith?: HeaderList, extra?: readonly string[]) => (res: ServerResponse) => {
    setSecurityHeaders(res, '/greet');
    res.setHeader(REQUEST_ID_HEADER, 'req-1');
    for (const [name, value] of ALLOWED) res.setHeader(name, value);
    if (extra !== undefined)
      for (let i = 0; i < extra.length; i += 2) res.setHeader(extra[i], extra[i + 1]);
    if (replaceWith !== undefined) {
      for (const name of res.getHeaderNames()) {
        if (name.startsWith('access-control-')) res.removeHeader(name);
      }
      for (const [name, value] of replaceWith) res.setHeader(name, value);
    }
    platformAnswer(res);
  };

  const precomputed =
    (replaceWith?: HeaderList, extra?: readonly string[]) => (res: ServerResponse) => {
      const exchange = new Exchange('req-1', '/greet', false);
      attachExchange(res, exchange);
      writePassThroughHeaders(res, exchange, ALLOWED, extra);
      if (replaceWith !== undefined) replaceCorsHeaders(res, replaceWith);
      platformAnswer(res);
    };

  const answer = (write: (res: ServerResponse) => void) =>
    rawAnswer((res) => write(res), { name: 'x', path: '/greet', status: 200, cors: [] });

  it('a response let through carries the same lines as with setHeader', async () => {
    expect(parts(await answer(precomputed()))).toEqual(parts(await answer(plain())));
  });

  it("with the rate limit's lines, the same lines as with setHeader", async () => {
    const fast = await answer(precomputed(undefined, LIMIT_LINES));
    expect(parts(fast)).toEqual(parts(await answer(plain(undefined, LIMIT_LINES))));
    expect(fast).toContain('\r\nX-RateLimit-Remaining: 7\r\n');
  });

  it('replacing the CORS lines leaves none of the old decision', async () => {
    const replaced = await answer(precomputed(REFUSED));
    expect(parts(replaced)).toEqual(parts(await answer(plain(REFUSED))));
    expect(replaced).not.toMatch(/Access-Control-/);
  });
});
