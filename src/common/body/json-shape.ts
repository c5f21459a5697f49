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
 * One pass over raw UTF-8 JSON text, fed chunk by chunk as the body arrives, that stops at the
 * first container nested deeper than `maxDepth` or at the first element past `maxElements`.
 * JSON.parse and the validation after it cost time in proportion to the number of values (and
 * recurse per nesting level), while this costs a comparison or two per byte and lets the reader
 * refuse a 1 MB depth bomb or a body of 60,000 keys after its first chunk, without reading the
 * rest, instead of spending tens of milliseconds (or a stack overflow) on it.
 *
 * It does not validate the syntax (JSON.parse does, afterwards); strings are skipped with their
 * escapes, so brackets and commas inside them count for nothing. Multi-byte UTF-8 sequences never
 * contain ASCII bytes, so scanning bytes is exact.
 */
export class JsonShapeScanner {
  private depth = 0;
  /** Each container counts once and each comma adds one more member or element. */
  private elements = 0;
  private inString = false;
  private escaped = false;
  private problem: JsonShapeProblem | undefined;

  constructor(private readonly limits: JsonShapeLimits) {}

  /** Scans the next bytes; returns the first problem found so far, if any. */
  push(bytes: Uint8Array): JsonShapeProblem | undefined {
    if (this.problem !== undefined) return this.problem;
    const { maxDepth, maxElements } = this.limits;
    let { depth, elements, inString, escaped } = this;
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (byte === BACKSLASH) escaped = true;
        else if (byte === QUOTE) inString = false;
      } else if (byte === QUOTE) {
        inString = true;
      } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
        if (++depth > maxDepth) return (this.problem = 'tooDeep');
        if (++elements > maxElements) return (this.problem = 'tooManyElements');
      } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
        depth--;
      } else if (byte === COMMA) {
        if (++elements > maxElements) return (this.problem = 'tooManyElements');
      }
    }
    Object.assign(this, { depth, elements, inString, escaped });
    return undefined;
  }
}

/** The scanner over a whole text at once. */
export function findJsonShapeProblem(
  text: Uint8Array,
  limits: JsonShapeLimits,
): JsonShapeProblem | undefined {
  return new JsonShapeScanner(limits).push(text);
}
