import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { nodeResponse } from 'nest-strict-cors';
import { STATUS_CODES, type ServerResponse } from 'node:http';
import { recordErrorReason } from '../error-envelope';
import { ErrorMessages } from '../error-messages';
import { answerAheadOfBody } from '../http/request-body';
import { exchangeOf } from '../http/exchange';
import { requestPath } from '../http/request-target';
import { requestIdOf } from '../request-id';

/**
 * Global: turns every exception — thrown by a handler, a pipe, a guard, the router's 404 or the
 * body parser's 400/413 — into the same `{ statusCode, error }` envelope. Anything that is not an
 * HttpException is a bug: it is logged with its stack and the client only sees a generic 500, so no
 * stack trace or file path ever leaves the process.
 */
@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  private readonly logger = new Logger(ErrorEnvelopeFilter.name);

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const response: unknown = host.switchToHttp().getResponse();
    const envelope = this.toEnvelope(exception, response);
    if (httpAdapter.isHeadersSent(response)) {
      this.logger.error({
        msg: 'Error after the response was sent',
        reqId: requestIdOf(nodeResponse(response as object)),
        err: errorOf(exception),
      });
      httpAdapter.end(response);
      return;
    }
    const res = nodeResponse(response as object);
    if (isRouterNotFound(exception, res)) {
      // The path as sent, read before routing (Fastify routes a rewritten one, fastify-platform.ts).
      envelope.error = ErrorMessages.routeNotFound(
        res.req.method ?? 'GET',
        exchangeOf(res)?.path ?? requestPath(res.req) ?? '/',
      );
    }
    recordErrorReason(res, envelope.error);
    answerAheadOfBody(res, () => {
      httpAdapter.reply(response, envelope, envelope.statusCode);
    });
  }

  private toEnvelope(exception: unknown, response: unknown): { statusCode: number; error: string } {
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      return { statusCode, error: messageOf(exception) };
    }
    // With the request id, so the 500 a user reports leads to this line and its stack.
    this.logger.error({
      msg: `Unhandled error: ${String(exception)}`,
      reqId: requestIdOf(nodeResponse(response as object)),
      err: errorOf(exception),
    });
    return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, error: ErrorMessages.internal };
  }
}

/** Nest's own exceptions carry `{ message }` (a string, or a list from validation). */
function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message) && typeof message[0] === 'string') return message[0];
  // e.g. terminus's health report: its details are for the health endpoint, not the envelope.
  return STATUS_CODES[exception.getStatus()] ?? exception.message;
}

/** Nest's router answers an unknown route with `NotFoundException("Cannot <METHOD> <url>")`. */
function isRouterNotFound(exception: unknown, res: ServerResponse): boolean {
  return (
    exception instanceof NotFoundException &&
    res.req !== undefined &&
    exception.message.startsWith(`Cannot ${res.req.method} `)
  );
}

/** pino's error serializer gives the type, message and stack of an Error. */
function errorOf(exception: unknown): Error {
  return exception instanceof Error ? exception : new Error(String(exception));
}
