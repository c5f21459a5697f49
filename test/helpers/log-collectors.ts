import type { LoggerService } from '@nestjs/common';

/** Collects Nest's warn and error lines (CORS refusals, unhandled errors); drops the rest. */
export class WarnAndErrorCollector implements LoggerService {
  readonly warnings: string[] = [];
  readonly errors: string[] = [];
  log(): void {}
  debug(): void {}
  verbose(): void {}
  warn(message: unknown): void {
    this.warnings.push(textOf(message));
  }
  error(message: unknown): void {
    this.errors.push(textOf(message));
  }
  reset(): void {
    this.warnings.splice(0);
    this.errors.splice(0);
  }
}

/** Structured lines (`{ msg, reqId, … }`) count by their message. */
function textOf(message: unknown): string {
  if (typeof message === 'object' && message !== null && 'msg' in message) {
    return String(message.msg);
  }
  return String(message);
}
