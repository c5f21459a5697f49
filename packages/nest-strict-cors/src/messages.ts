import type { RefusalCode } from './compiled-policy';

/** What a refused request's 403 says: a preflight refused for its method or headers says so. */
export const REFUSAL_MESSAGES = {
  origin: 'Origin not allowed',
  method: 'Method not allowed by CORS policy',
  header: 'Request header not allowed by CORS policy',
} as const;

export function refusalMessage(code: RefusalCode): string {
  switch (code) {
    case 'method_not_allowed':
      return REFUSAL_MESSAGES.method;
    case 'header_not_allowed':
    case 'request_headers_too_long':
      return REFUSAL_MESSAGES.header;
    case 'origin_not_allowed':
    case 'multiple_origins':
    case 'null_origin':
      return REFUSAL_MESSAGES.origin;
    default: {
      const unknown: never = code;
      return unknown;
    }
  }
}
