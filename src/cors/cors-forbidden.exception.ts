import { ForbiddenException } from '@nestjs/common';
import { ErrorMessages } from '../common/error-messages';

/** A refused origin, method or header. The reason is for the log; the client only gets 403. */
export class CorsForbiddenException extends ForbiddenException {
  constructor(readonly reason: string) {
    super(ErrorMessages.originNotAllowed);
  }
}
