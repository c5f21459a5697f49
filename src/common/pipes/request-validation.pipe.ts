import {
  ArgumentMetadata,
  BadRequestException,
  Injectable,
  Optional,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import { ErrorMessages } from '../error-messages';
import {
  BODY_TRANSFORM_OPTIONS,
  BODY_VALIDATOR_OPTIONS,
  BodyValidationFailure,
  compileBodyValidator,
  CompiledBody,
  USE_VALIDATION_PIPE,
} from './compiled-validator';

/**
 * Which failed constraint to report when a field breaks several: a missing field is reported as
 * missing, a number as "must be a string" (not also "too long"), and so on. class-validator
 * returns constraints as an unordered object, so the order is stated here.
 */
const CONSTRAINT_PRIORITY = ['isPresent', 'isString', 'isNotEmpty', 'maxLength', 'isIn'];

export interface RequestValidationPipeOptions {
  /**
   * Validate bodies with a validator compiled once per DTO class from its decorators (default),
   * or always through ValidationPipe (the reference the compiled path is tested against).
   */
  readonly compiled?: boolean;
}

/**
 * The global ValidationPipe, plus the body checks no DTO can express: a body must be present and
 * be a JSON object. Errors become one human-readable message (the contract's `error`), reporting
 * the first field in declaration order and its most basic failed constraint.
 *
 * A body DTO is validated by a plain function compiled from its class-transformer and
 * class-validator metadata at first use (compiled-validator.ts): the same instance or the same
 * error as ValidationPipe, without its per-request walk of the whole body and of the metadata
 * storages. A class the compiler does not fully reproduce, and any other argument, take
 * ValidationPipe's path.
 */
@Injectable()
export class RequestValidationPipe extends ValidationPipe {
  private readonly useCompiled: boolean;
  private readonly compiledBodies = new Map<unknown, CompiledBody | undefined>();

  constructor(@Optional() options: RequestValidationPipeOptions = {}) {
    super({
      transform: true,
      // Only the DTO's @Expose()d keys are copied, transformed and validated: a body's cost is
      // what the DTO reads, not the thousand unknown keys a client may add.
      transformOptions: BODY_TRANSFORM_OPTIONS,
      ...BODY_VALIDATOR_OPTIONS,
      exceptionFactory: (errors) => new BadRequestException(firstMessage(errors)),
    });
    this.useCompiled = options.compiled ?? true;
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && metadata.metatype !== undefined) {
      const compiled = this.useCompiled ? this.compiledBody(metadata.metatype) : undefined;
      assertJsonObjectBody(value, compiled?.exposedKeys);
      const result = compiled?.validate(value as object) ?? USE_VALIDATION_PIPE;
      if (result instanceof BodyValidationFailure) {
        throw await this.exceptionFactory(result.errors);
      }
      if (result !== USE_VALIDATION_PIPE) return result;
    }
    return super.transform(value, metadata);
  }

  private compiledBody(metatype: unknown): CompiledBody | undefined {
    if (!this.compiledBodies.has(metatype)) {
      const compilation = compileBodyValidator(metatype);
      this.compiledBodies.set(metatype, 'validate' in compilation ? compilation : undefined);
    }
    return this.compiledBodies.get(metatype);
  }
}

/**
 * @param knownKeys keys the DTO reads: a body holding one of them is not empty, which spares
 *   listing all its keys (Object.keys of a body with thousands of unknown keys costs tens of µs).
 */
function assertJsonObjectBody(value: unknown, knownKeys: readonly string[] = []): void {
  if (value === undefined || value === '') {
    throw new BadRequestException(ErrorMessages.missingBody);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequestException(ErrorMessages.bodyNotObject);
  }
  if (!hasAnyOf(value, knownKeys) && Object.keys(value).length === 0) {
    throw new BadRequestException(ErrorMessages.missingBody);
  }
}

/** Whether one of `keys` is among `Object.keys(value)` (an own, enumerable key). */
function hasAnyOf(value: object, keys: readonly string[]): boolean {
  for (const key of keys) {
    if (Object.prototype.propertyIsEnumerable.call(value, key)) return true;
  }
  return false;
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
