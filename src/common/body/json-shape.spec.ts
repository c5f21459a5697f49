import fc from 'fast-check';
import { findJsonShapeProblem, JsonShapeLimits, JsonShapeScanner } from './json-shape';

const LIMITS: JsonShapeLimits = { maxDepth: 32, maxElements: 1000 };
const scan = (text: string, limits: JsonShapeLimits = LIMITS) =>
  findJsonShapeProblem(Buffer.from(text, 'utf8'), limits);

const nestedArrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

/** The nesting depth of a parsed JSON value, computed independently of the scanner. */
function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (typeof value === 'object' && value !== null) {
    return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  }
  return 0;
}

describe('findJsonShapeProblem', () => {
  it('accepts an ordinary greeting', () => {
    expect(scan('{"name":"Alice","lang":"es"}')).toBeUndefined();
  });

  it('accepts exactly maxDepth levels and refuses one more', () => {
    expect(scan(nestedArrays(32))).toBeUndefined();
    expect(scan(nestedArrays(33))).toBe('tooDeep');
    expect(scan(`{"name":"a","x":${'{"a":'.repeat(32)}1${'}'.repeat(32)}}`)).toBe('tooDeep');
  });

  it('stops at the first level too deep, whatever follows (no closing brackets needed)', () => {
    expect(scan('['.repeat(400_000))).toBe('tooDeep');
  });

  it('ignores brackets and commas inside strings, escaped quotes included', () => {
    const noise = '[[[{{{,,,\\"]]]';
    expect(
      scan(`{"name":"${noise.repeat(100)}"}`, { maxDepth: 1, maxElements: 1 }),
    ).toBeUndefined();
    expect(scan(`{"a":"\\\\"}`, { maxDepth: 1, maxElements: 1 })).toBeUndefined();
    // The escaped backslash ends the string: the bracket after it is structure again.
    expect(scan(`{"a":"\\\\",[]}`, { maxDepth: 1, maxElements: 10 })).toBe('tooDeep');
  });

  it('counts members and elements across all levels', () => {
    const members = (n: number) =>
      `{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}}`;
    expect(scan(members(1000))).toBeUndefined();
    expect(scan(members(1001))).toBe('tooManyElements');
    expect(scan(`[${Array(1000).fill(0).join(',')}]`)).toBeUndefined();
    expect(scan(`[${Array(1001).fill(0).join(',')}]`)).toBe('tooManyElements');
    // 500 elements, each an empty array counting once more.
    expect(scan(`[${Array(500).fill('[]').join(',')}]`)).toBeUndefined();
    expect(scan(`[${Array(501).fill('[]').join(',')}]`)).toBe('tooManyElements');
    expect(scan(`{"a":[1,2,3],"b":{"c":1}}`, { maxDepth: 32, maxElements: 6 })).toBeUndefined();
    expect(scan(`{"a":[1,2,3],"b":{"c":1}}`, { maxDepth: 32, maxElements: 5 })).toBe(
      'tooManyElements',
    );
  });

  it('reads multi-byte UTF-8 without confusing it with structure', () => {
    expect(scan('{"name":"Zoë 😀 ［］｛｝，"}', { maxDepth: 1, maxElements: 1 })).toBeUndefined();
  });

  it('agrees with the depth of the parsed value for generated JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 12 }), fc.integer({ min: 1, max: 14 }), (value, max) => {
        const text = JSON.stringify(value);
        const tooDeep = depthOf(value) > max;
        const problem = scan(text, { maxDepth: max, maxElements: Number.MAX_SAFE_INTEGER });
        expect(problem === 'tooDeep').toBe(tooDeep);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the same answer whatever the chunks, strings and escapes split across them', () => {
    const text = fc.oneof(
      fc.jsonValue({ maxDepth: 8 }).map((value) => JSON.stringify(value)),
      fc.string({ unit: fc.constantFrom('[', ']', '{', '}', ',', '"', '\\', 'a', ':') }),
    );
    fc.assert(
      fc.property(
        text,
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 30 }),
        (json, cuts, maxDepth, maxElements) => {
          const bytes = Buffer.from(json, 'utf8');
          const limits = { maxDepth, maxElements };
          const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort(
            (a, b) => a - b,
          );
          const scanner = new JsonShapeScanner(limits);
          let chunked;
          let from = 0;
          for (const to of [...points, bytes.length]) {
            chunked = scanner.push(bytes.subarray(from, to)) ?? chunked;
            from = to;
          }
          expect(chunked).toBe(findJsonShapeProblem(bytes, limits));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('keeps reporting a problem once found', () => {
    const scanner = new JsonShapeScanner({ maxDepth: 1, maxElements: 10 });
    expect(scanner.push(Buffer.from('[['))).toBe('tooDeep');
    expect(scanner.push(Buffer.from(']]'))).toBe('tooDeep');
  });
});
