import type * as Swagger from '@nestjs/swagger';
import { ErrorEnvelopeDto } from '../common/error-envelope';
import { GreetRequestDto, NAME_MAX_LENGTH } from '../greet/dto/greet-request.dto';
import { GreetResponseDto } from '../greet/dto/greet-response.dto';
import { LanguageDto, LanguagesResponseDto } from '../greet/dto/languages-response.dto';
import { GreetController } from '../greet/greet.controller';
import { DEFAULT_LANGUAGE, LANGUAGE_CODES } from '../greet/languages';
import { HealthController } from '../health/health.controller';

type Target = abstract new (...args: never[]) => object;

let described = false;

/**
 * The OpenAPI metadata of the DTOs and controllers. It lives here, applied when the docs are
 * enabled, rather than as decorators in the classes, because importing @nestjs/swagger costs
 * ~130 ms of start-up and memory that production (docs off by default) should not pay. Types are
 * explicit because undecorated properties carry no `design:type` metadata.
 */
export function describeApi(swagger: typeof Swagger): void {
  if (described) return;
  described = true;
  const { ApiProperty: Prop, ApiPropertyOptional: OptionalProp } = swagger;

  property(ErrorEnvelopeDto, 'statusCode', Prop({ type: Number, example: 400 }));
  property(
    ErrorEnvelopeDto,
    'error',
    Prop({
      type: String,
      example: "Missing required field: 'name'",
      description: 'Human-readable message; front ends display it',
    }),
  );
  property(
    GreetRequestDto,
    'name',
    Prop({
      type: String,
      example: 'Alice',
      maxLength: NAME_MAX_LENGTH,
      description: 'Trimmed; not blank',
    }),
  );
  property(
    GreetRequestDto,
    'lang',
    OptionalProp({
      type: String,
      enum: LANGUAGE_CODES,
      default: DEFAULT_LANGUAGE,
      example: 'es',
      description: 'Case-insensitive',
    }),
  );
  property(GreetResponseDto, 'greeting', Prop({ type: String, example: 'Hola, Alice!' }));
  property(
    GreetResponseDto,
    'timestamp',
    Prop({
      type: String,
      example: '2026-11-25T21:13:30.123Z',
      description: 'ISO-8601 UTC instant',
    }),
  );
  property(LanguageDto, 'code', Prop({ type: String, example: 'es' }));
  property(LanguageDto, 'greeting', Prop({ type: String, example: 'Hola' }));
  property(LanguagesResponseDto, 'languages', Prop({ type: [LanguageDto] }));

  const error = (description: string) => ({ type: ErrorEnvelopeDto, description });
  decorateClass(
    GreetController,
    swagger.ApiTags('greet'),
    swagger.ApiForbiddenResponse(error('Origin, method or header not allowed (CORS)')),
  );
  decorateMethod(
    GreetController,
    'greet',
    swagger.ApiOperation({ summary: 'Greet someone in a supported language' }),
    swagger.ApiBody({ type: GreetRequestDto }),
    swagger.ApiOkResponse({ type: GreetResponseDto }),
    swagger.ApiBadRequestResponse(error('Missing, malformed or invalid body')),
    swagger.ApiUnsupportedMediaTypeResponse(error('Body is not JSON')),
    swagger.ApiPayloadTooLargeResponse(error('Body over BODY_LIMIT')),
  );
  decorateMethod(
    GreetController,
    'languages',
    swagger.ApiOperation({ summary: 'Supported languages (public: readable from any origin)' }),
    swagger.ApiOkResponse({ type: LanguagesResponseDto }),
  );
  decorateClass(HealthController, swagger.ApiTags('health'));
  decorateMethod(
    HealthController,
    'live',
    swagger.ApiOperation({ summary: 'Liveness: the process is up and serving HTTP' }),
    swagger.ApiOkResponse({ description: 'Alive' }),
  );
  for (const method of ['ready', 'check'] as const) {
    decorateMethod(
      HealthController,
      method,
      swagger.ApiOperation({
        summary:
          method === 'ready' ? 'Readiness: 503 once shutdown starts' : 'Alias of /health/ready',
      }),
      swagger.ApiOkResponse({ description: 'Ready: `{"status":"ok", ...}`' }),
      swagger.ApiServiceUnavailableResponse(error('Shutting down')),
    );
  }
}

function property(target: Target, key: string, decorator: PropertyDecorator): void {
  decorator(target.prototype as object, key);
}

function decorateClass(target: Target, ...decorators: ClassDecorator[]): void {
  for (const decorator of decorators) decorator(target as unknown as () => void);
}

/** Applies method decorators as `@` would: with the method's property descriptor. */
function decorateMethod(target: Target, key: string, ...decorators: MethodDecorator[]): void {
  const prototype = target.prototype as object;
  const descriptor = Object.getOwnPropertyDescriptor(prototype, key);
  if (descriptor === undefined) throw new Error(`${target.name}.${key} does not exist`);
  for (const decorator of decorators) decorator(prototype, key, descriptor);
}
