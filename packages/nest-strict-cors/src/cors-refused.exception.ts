import { ForbiddenException } from '@nestjs/common';
import type { RefusalCode } from './compiled-policy';
import { refusalMessage } from './messages';

/**
 * A refused origin, method or header, thrown by the guard: a 403 through the application's
 * exception filters. `reason` (with the values) is for logs; the client gets the fixed message.
 */
export class CorsRefusedException extends ForbiddenException {
  constructor(
    readonly code: RefusalCode,
    readonly reason: string,
  ) {
    super(refusalMessage(code));
  }
}
