/** The supported languages and their greeting word: the one list the API and the docs read. */
export const GREETINGS = {
  en: 'Hello',
  es: 'Hola',
  fr: 'Bonjour',
  de: 'Hallo',
  it: 'Ciao',
  pt: 'Olá',
} as const;

export type LanguageCode = keyof typeof GREETINGS;

export const LANGUAGE_CODES = Object.keys(GREETINGS) as LanguageCode[];

export const DEFAULT_LANGUAGE: LanguageCode = 'en';
