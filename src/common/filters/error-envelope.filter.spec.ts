import { ArgumentsHost, BadRequestException, Logger, NotFoundException } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { attachExchange, Exchange } from '../http/exchange';
import { ErrorEnvelopeFilter } from './error-envelope.filter';

interface Reply {
  body: unknown;
  status: number;
}

function setup(headersSent = false) {
  const replies: Reply[] = [];
  const adapter = {
    isHeadersSent: () => headersSent,
    reply: (_res: unknown, body: unknown, status: number) => replies.push({ body, status }),
    end: jest.fn(),
  };
  // A response whose request body was fully read: the filter leaves its connection alone.
  const response = {
    req: { complete: true, headers: {} },
    setHeader: jest.fn(),
    getHeader: () => undefined,
  };
  attachExchange(response as never, new Exchange('req-1', '/greet', false));
  const filter = new ErrorEnvelopeFilter({ httpAdapter: adapter } as unknown as HttpAdapterHost);
  const host = {
    switchToHttp: () => ({ getResponse: () => response, getRequest: () => response.req }),
  } as unknown as ArgumentsHost;
  return { filter, host, replies, adapter };
}

describe('ErrorEnvelopeFilter', () => {
  it('keeps the status and message of an HttpException', () => {
    const { filter, host, replies } = setup();
    filter.catch(new BadRequestException("Field 'name' cannot be empty"), host);
    expect(replies).toEqual([
      { status: 400, body: { statusCode: 400, error: "Field 'name' cannot be empty" } },
    ]);
  });

  it("uses the message of Nest's built-in exceptions", () => {
    const { filter, host, replies } = setup();
    filter.catch(new NotFoundException('Cannot GET /x'), host);
    expect(replies[0].body).toEqual({ statusCode: 404, error: 'Cannot GET /x' });
  });

  it('hides unexpected errors behind a generic 500 and logs them', () => {
    const { filter, host, replies } = setup();
    const log = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    filter.catch(new Error('db password is hunter2 at /srv/app/x.js:1'), host);
    expect(replies).toEqual([
      { status: 500, body: { statusCode: 500, error: 'Internal server error' } },
    ]);
    // With the request id, and the error itself (pino logs its stack), never in the reply.
    expect(log).toHaveBeenCalledWith(
      expect.objectContaining({ reqId: 'req-1', err: expect.any(Error) }),
    );
    log.mockRestore();
  });

  it('only ends the response when headers were already sent', () => {
    const { filter, host, replies, adapter } = setup(true);
    const log = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    filter.catch(new Error('late'), host);
    expect(replies).toEqual([]);
    expect(adapter.end).toHaveBeenCalled();
    log.mockRestore();
  });
});
