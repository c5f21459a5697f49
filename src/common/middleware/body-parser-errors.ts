import {
  BadRequestException,
  HttpException,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { ErrorMessages } from '../error-messages';

/** The `type` that body-parser (via http-errors) puts on the errors it raises. */
interface BodyParserError {
  type?: unknown;
  status?: unknown;
}

/**
 * Maps body-parser's errors onto the contract's messages. Nest would otherwise pass the parser's
 * own text through ("Unexpected token } in JSON at position 5"), which is neither stable nor meant
 * for users.
 */
export function mapBodyParserError(error: unknown): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const { type, status } = error as BodyParserError;
  switch (type) {
    case 'entity.too.large':
      return new PayloadTooLargeException(ErrorMessages.payloadTooLarge);
    case 'entity.parse.failed':
      return new BadRequestException(ErrorMessages.malformedJson);
    case 'charset.unsupported':
      return new UnsupportedMediaTypeException(ErrorMessages.unsupportedCharset);
    case 'encoding.unsupported':
      return new UnsupportedMediaTypeException(ErrorMessages.unsupportedEncoding);
    default:
      if (typeof type === 'string' && typeof status === 'number' && status >= 400 && status < 500) {
        return new HttpException(ErrorMessages.badRequest, status);
      }
      return error;
  }
}

/** Express error middleware placed right after the JSON parser. */
export function bodyParserErrorMiddleware(
  error: unknown,
  _req: unknown,
  _res: unknown,
  next: (error?: unknown) => void,
): void {
  next(mapBodyParserError(error));
}
