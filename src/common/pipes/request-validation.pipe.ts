import {
  ArgumentMetadata,
  BadRequestException,
  Injectable,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import { ErrorMessages } from '../error-messages';

/**
 * Which failed constraint to report when a field breaks several: a missing field is reported as
 * missing, a number as "must be a string" (not also "too long"), and so on. class-validator
 * returns constraints as an unordered object, so the order is stated here.
 */
const CONSTRAINT_PRIORITY = ['isPresent', 'isString', 'isNotEmpty', 'maxLength', 'isIn'];

/**
 * The global ValidationPipe, plus the body checks no DTO can express: a body must be present and
 * be a JSON object. Errors become one human-readable message (the contract's `error`), reporting
 * the first field in declaration order and its most basic failed constraint.
 */
@Injectable()
export class RequestValidationPipe extends ValidationPipe {
  constructor() {
    super({
      transform: true,
      // Only the DTO's @Expose()d keys are copied, transformed and validated: a body's cost is
      // what the DTO reads, not the thousand unknown keys a client may add.
      transformOptions: { excludeExtraneousValues: true, exposeDefaultValues: true },
      whitelist: true,
      forbidUnknownValues: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => new BadRequestException(firstMessage(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && metadata.metatype !== undefined) {
      assertJsonObjectBody(value);
    }
    return super.transform(value, metadata);
  }
}

function assertJsonObjectBody(value: unknown): void {
  if (value === undefined || value === '') {
    throw new BadRequestException(ErrorMessages.missingBody);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequestException(ErrorMessages.bodyNotObject);
  }
  if (Object.keys(value).length === 0) {
    throw new BadRequestException(ErrorMessages.missingBody);
  }
}

function firstMessage(errors: ValidationError[]): string {
  for (const error of errors) {
    const constraints = error.constraints ?? {};
    const key =
      CONSTRAINT_PRIORITY.find((name) => name in constraints) ?? Object.keys(constraints)[0];
    if (key !== undefined) return constraints[key];
    const nested = firstMessage(error.children ?? []);
    if (nested !== ErrorMessages.badRequest) return nested;
  }
  return ErrorMessages.badRequest;
}
