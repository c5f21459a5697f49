/**
 * POST /greet for the reference servers: the same contract as the service in spirit (name required,
 * trimmed, at most 100 characters; lang optional, one of a few codes), with fewer languages since
 * the benchmark only ever sends "es".
 */
export const GREETINGS = { en: 'Hello', es: 'Hola', fr: 'Bonjour' } as const;
export type Lang = keyof typeof GREETINGS;
export const LANGS = Object.keys(GREETINGS) as Lang[];
export const DEFAULT_LANG: Lang = 'en';
export const NAME_MAX_LENGTH = 100;

export interface GreetRequest {
  name: string;
  lang: Lang;
}

export interface GreetResponse {
  greeting: string;
  timestamp: string;
}

export type ParsedGreetRequest = { ok: true; request: GreetRequest } | { ok: false; error: string };

export function greet({ name, lang }: GreetRequest): GreetResponse {
  return { greeting: `${GREETINGS[lang]}, ${name}!`, timestamp: new Date().toISOString() };
}

function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGS as readonly string[]).includes(value);
}

/** Hand-written validation, as an Express or node:http app without a schema library has it. */
export function parseGreetRequest(body: unknown): ParsedGreetRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, error: 'Request body must be a JSON object' };
  }
  const { name, lang } = body as Record<string, unknown>;
  if (typeof name !== 'string') return { ok: false, error: "Field 'name' must be a string" };
  const trimmed = name.trim();
  if (trimmed.length === 0) return { ok: false, error: "Field 'name' cannot be empty" };
  if (trimmed.length > NAME_MAX_LENGTH) {
    return { ok: false, error: `Field 'name' must be at most ${NAME_MAX_LENGTH} characters` };
  }
  if (lang !== undefined && !isLang(lang)) {
    return { ok: false, error: `Unsupported language: ${JSON.stringify(lang)}` };
  }
  return { ok: true, request: { name: trimmed, lang: lang ?? DEFAULT_LANG } };
}
