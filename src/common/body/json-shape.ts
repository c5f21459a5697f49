export interface JsonShapeLimits {
  /** Most nested objects/arrays, e.g. `{"a":[1]}` is 2 deep. */
  readonly maxDepth: number;
  /** Most object members plus array elements in the whole text (an empty container counts 1). */
  readonly maxElements: number;
}

export type JsonShapeProblem = 'tooDeep' | 'tooManyElements';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/**
 * One pass over raw UTF-8 JSON text, before JSON.parse, that stops at the first container nested
 * deeper than `maxDepth` or at the first element past `maxElements`. JSON.parse and the validation
 * after it cost time in proportion to the number of values (and recurse per nesting level), while
 * this costs a byte comparison or two per byte: a 1 MB body of 400,000 nested arrays or 60,000
 * keys is refused here instead of costing tens of milliseconds (or a stack overflow) there.
 *
 * It does not validate the syntax (JSON.parse does, afterwards); strings are skipped with their
 * escapes, so brackets and commas inside them count for nothing. Multi-byte UTF-8 sequences never
 * contain ASCII bytes, so scanning bytes is exact.
 */
export function findJsonShapeProblem(
  text: Uint8Array,
  limits: JsonShapeLimits,
): JsonShapeProblem | undefined {
  const { maxDepth, maxElements } = limits;
  const length = text.length;
  let depth = 0;
  // Each container counts once and each comma adds one more member or element.
  let elements = 0;
  for (let i = 0; i < length; i++) {
    const byte = text[i];
    if (byte === QUOTE) {
      for (i++; i < length; i++) {
        const inString = text[i];
        if (inString === BACKSLASH) i++;
        else if (inString === QUOTE) break;
      }
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      if (++depth > maxDepth) return 'tooDeep';
      if (++elements > maxElements) return 'tooManyElements';
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      depth--;
    } else if (byte === COMMA) {
      if (++elements > maxElements) return 'tooManyElements';
    }
  }
  return undefined;
}
