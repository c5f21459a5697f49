import {
  CanActivate,
  ExecutionContext,
  Injectable,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { nodeRequest } from 'nest-strict-cors';
import { ErrorMessages } from '../error-messages';
import { declaresNonJsonBody } from '../http/request-body';

/**
 * Refuses a request body that is not JSON. Besides keeping the contract, this is a security rule:
 * only "simple" content types (text/plain, form-encoded, multipart) can be sent cross-site without
 * a CORS preflight, so refusing them means no cross-site form can reach a handler.
 *
 * A guard rather than Nest middleware: on Fastify, Nest middleware runs through @fastify/middie,
 * 11–14 µs of a profiled ~180 µs POST (docs/performance.md). The body of another type is never
 * read either way: both platforms' parsers read JSON only.
 */
@Injectable()
export class RequireJsonGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = nodeRequest(context.switchToHttp().getRequest<object>());
    if (declaresNonJsonBody(req)) {
      throw new UnsupportedMediaTypeException(ErrorMessages.unsupportedMediaType);
    }
    return true;
  }
}
