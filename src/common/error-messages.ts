import { REFUSAL_MESSAGES } from 'nest-strict-cors';
import { shorten } from './shorten';

/**
 * Every message a client can see. Front ends display the `error` field of the envelope, so these
 * strings are part of the API contract: change them only together with README and the e2e specs.
 */
export const ErrorMessages = {
  missingBody: 'Missing request body',
  malformedJson: 'Malformed JSON in request body',
  bodyNotObject: 'Request body must be a JSON object',
  payloadTooLarge: 'Payload too large',
  unsupportedMediaType: 'Content-Type must be application/json',
  unsupportedCharset: 'Unsupported charset in Content-Type',
  unsupportedEncoding: 'Unsupported Content-Encoding',
  malformedCompressedBody: 'Malformed compressed request body',
  bodyTooDeep: 'Request body nested too deeply',
  bodyTooManyElements: 'Request body has too many elements',
  requestTimeout: 'Request timeout',
  headersTooLarge: 'Request header fields too large',
  badRequest: 'Bad request',
  methodNotAllowed: 'Method not allowed',
  notFound: 'Not found',
  expectationFailed: 'Expectation failed',
  internal: 'Internal server error',
  tooManyRequests: 'Too many requests',
  rateLimitStoreUnavailable: 'Rate limit store unavailable',
  // CORS refusals say what nest-strict-cors says; a preflight refused for its method or its
  // headers says so (the origin itself may be fine).
  originNotAllowed: REFUSAL_MESSAGES.origin,
  corsMethodNotAllowed: REFUSAL_MESSAGES.method,
  corsHeaderNotAllowed: REFUSAL_MESSAGES.header,
  /**
   * The router's 404, worded as Express words it but with the path alone, shortened: its own
   * `Cannot GET /x?token=…` quotes the raw target, query included.
   */
  routeNotFound: (method: string, path: string) => `Cannot ${method} ${shorten(path, 200)}`,
  missingField: (field: string) => `Missing required field: '${field}'`,
  fieldNotString: (field: string) => `Field '${field}' must be a string`,
  fieldEmpty: (field: string) => `Field '${field}' cannot be empty`,
  fieldTooLong: (field: string, max: number) =>
    `Field '${field}' must be at most ${max} characters`,
  /** Shortened: the value comes from the client and could be up to BODY_LIMIT long. */
  unsupportedLanguage: (lang: string) =>
    `Invalid or unsupported language selection: '${shorten(lang, 40)}'`,
} as const;
