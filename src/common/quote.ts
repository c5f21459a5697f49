import { shorten } from './shorten';

/** Characters of a value quote() shows before it shortens it. */
export const QUOTED_VALUE_LIMIT = 100;

/** Quoted and shortened, so hostile values cannot flood or forge log lines. */
export function quote(value: string): string {
  return JSON.stringify(shorten(value, QUOTED_VALUE_LIMIT));
}
