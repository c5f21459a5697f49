import { RATE_LIMIT_HEADERS } from '../rate-limit/rate-limit.headers';
import type * as Swagger from '@nestjs/swagger';
import { ErrorEnvelopeDto } from '../common/error-envelope';
import { ErrorMessages } from '../common/error-messages';
import { REQUEST_ID_HEADER } from '../common/request-id';
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

  property(
    ErrorEnvelopeDto,
    'statusCode',
    Prop({
      type: 'integer',
      minimum: 400,
      maximum: 599,
      example: 400,
      description: 'The HTTP status',
    }),
  );
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
      minLength: 1,
      maxLength: NAME_MAX_LENGTH,
      description: `Trimmed; 1-${NAME_MAX_LENGTH} characters after trimming`,
    }),
  );
  property(
    GreetRequestDto,
    'lang',
    OptionalProp({
      type: String,
      // Not an enum: the server accepts "ES" as "es", and a lowercase enum would make generated
      // clients refuse it.
      pattern: caseInsensitivePattern(LANGUAGE_CODES),
      default: DEFAULT_LANGUAGE,
      example: 'es',
      description: `One of ${LANGUAGE_CODES.join(', ')}, in any case`,
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

  // Every response carries X-Request-Id; every request may send one.
  const headers = {
    [REQUEST_ID_HEADER]: {
      description: "The caller's X-Request-Id when well-formed, else a new UUID",
      schema: { type: 'string' },
    },
  };
  const error = (status: number, description: string, extra: Record<string, object> = {}) =>
    swagger.ApiResponse({
      status,
      type: ErrorEnvelopeDto,
      description,
      headers: { ...headers, ...extra },
    });
  // On counted requests while rate limits are on (RATE_LIMIT_MAX, @RateLimit).
  const integer = { schema: { type: 'integer', minimum: 0 } };
  const limitHeaders = {
    [RATE_LIMIT_HEADERS.limit]: { description: "The client's budget per window", ...integer },
    [RATE_LIMIT_HEADERS.remaining]: { description: 'Requests left in the window', ...integer },
    [RATE_LIMIT_HEADERS.reset]: { description: "Whole seconds to the window's end", ...integer },
  };
  const retryAfter = {
    [RATE_LIMIT_HEADERS.retryAfter]: {
      description: 'Whole seconds to wait before trying again',
      schema: { type: 'integer', minimum: 1 },
    },
  };
  const ok = (options: { type?: Target; description?: string }) =>
    swagger.ApiResponse({
      status: 200,
      description: 'OK',
      ...options,
      headers: { ...headers, ...limitHeaders },
    });
  // What a counted route can get when rate limits are on.
  const rateLimited = [
    error(429, `"${ErrorMessages.tooManyRequests}": the client spent its budget for the window`, {
      ...retryAfter,
      ...limitHeaders,
    }),
    error(
      503,
      `"${ErrorMessages.rateLimitStoreUnavailable}": the rate-limit store is down and RATE_LIMIT_ON_STORE_ERROR=closed`,
      retryAfter,
    ),
  ];
  // What any request can get, whatever the operation.
  const everyOperation = [
    swagger.ApiHeader({
      name: REQUEST_ID_HEADER,
      required: false,
      description:
        'Your id for this request (`[A-Za-z0-9._:-]{1,128}`), echoed back and logged; otherwise the service makes one',
      schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
    }),
    error(400, 'Malformed request (bad target, Host, header bytes)'),
    error(
      403,
      `CORS refusal: "${ErrorMessages.originNotAllowed}", or for a preflight "${ErrorMessages.corsMethodNotAllowed}" / "${ErrorMessages.corsHeaderNotAllowed}"`,
    ),
    error(404, 'No such route (e.g. `Cannot GET /nope`)'),
    error(
      405,
      `"${ErrorMessages.methodNotAllowed}": the path exists with other methods, listed in Allow`,
      { Allow: { description: 'The methods the path serves', schema: { type: 'string' } } },
    ),
    error(413, `"${ErrorMessages.payloadTooLarge}": a body over BODY_LIMIT, on any route`),
    error(408, `"${ErrorMessages.requestTimeout}": headers or body too slow`),
    error(431, `"${ErrorMessages.headersTooLarge}"`),
    error(500, `"${ErrorMessages.internal}"`),
  ];
  decorateClass(GreetController, swagger.ApiTags('greet'));
  decorateMethod(
    GreetController,
    'greet',
    swagger.ApiOperation({ summary: 'Greet someone in a supported language' }),
    swagger.ApiBody({ type: GreetRequestDto }),
    ok({ type: GreetResponseDto }),
    ...everyOperation,
    ...rateLimited,
    error(400, 'Missing, malformed or invalid body (the message says which)'),
    error(415, `"${ErrorMessages.unsupportedMediaType}" (or an unsupported charset or encoding)`),
  );
  decorateMethod(
    GreetController,
    'languages',
    swagger.ApiOperation({ summary: 'Supported languages (public: readable from any origin)' }),
    ok({ type: LanguagesResponseDto }),
    ...everyOperation,
    ...rateLimited,
  );
  decorateClass(HealthController, swagger.ApiTags('health'));
  // Terminus's report: `status` plus per-indicator objects.
  const healthSchema = {
    type: 'object',
    required: ['status'],
    properties: {
      status: { type: 'string', example: 'ok' },
      info: { type: 'object', additionalProperties: true },
      error: { type: 'object', additionalProperties: true },
      details: { type: 'object', additionalProperties: true },
    },
  };
  decorateMethod(
    HealthController,
    'live',
    swagger.ApiOperation({ summary: 'Liveness: the process is up and serving HTTP' }),
    swagger.ApiResponse({ status: 200, description: 'Alive', schema: healthSchema, headers }),
    ...everyOperation,
  );
  for (const method of ['ready', 'check'] as const) {
    decorateMethod(
      HealthController,
      method,
      swagger.ApiOperation({
        summary:
          method === 'ready' ? 'Readiness: 503 once shutdown starts' : 'Alias of /health/ready',
      }),
      swagger.ApiResponse({ status: 200, description: 'Ready', schema: healthSchema, headers }),
      ...everyOperation,
      error(503, 'Shutting down'),
    );
  }
}

/** `^(?:[Ee][Nn]|…)$`: the codes in any case, in the regex dialect every client generator reads. */
function caseInsensitivePattern(codes: readonly string[]): string {
  const either = (c: string) =>
    c.toLowerCase() === c.toUpperCase() ? c : `[${c.toUpperCase()}${c.toLowerCase()}]`;
  return `^(?:${codes.map((code) => [...code].map(either).join('')).join('|')})$`;
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
