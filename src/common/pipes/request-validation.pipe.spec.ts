import { ArgumentMetadata, HttpException, ValidationPipe } from '@nestjs/common';
import fc from 'fast-check';
import { GreetRequestDto, NAME_MAX_LENGTH } from '../../greet/dto/greet-request.dto';
import { RequestValidationPipe } from './request-validation.pipe';

const body: ArgumentMetadata = { type: 'body', metatype: GreetRequestDto, data: undefined };
const compiledPipe = new RequestValidationPipe();
const referencePipe = new RequestValidationPipe({ compiled: false });

/** What a client or a handler can observe of one transform() call. */
type Outcome =
  | { instanceOf: object | null; keys: string[]; properties: Record<string, unknown> }
  | { error: unknown; status?: number; response?: unknown; message: string };

async function outcome(pipe: RequestValidationPipe, text: string): Promise<Outcome> {
  try {
    const value = (await pipe.transform(JSON.parse(text), body)) as object;
    return {
      instanceOf: Object.getPrototypeOf(value) as object | null,
      keys: Object.keys(value),
      properties: { ...value },
    };
  } catch (error) {
    if (error instanceof HttpException) {
      const { constructor, message } = error;
      return {
        error: constructor,
        status: error.getStatus(),
        response: error.getResponse(),
        message,
      };
    }
    const { constructor, message } = error as Error;
    return { error: constructor, message };
  }
}

/**
 * Runs one body (as JSON text, parsed afresh for each path: ValidationPipe strips keys from the
 * body it is given) through the compiled path and through ValidationPipe, and requires the same
 * outcome. Returns whether the compiled path handed the body to ValidationPipe.
 */
async function expectSameOutcome(text: string): Promise<boolean> {
  const superTransform = jest.spyOn(ValidationPipe.prototype, 'transform');
  try {
    const parsed = JSON.parse(text) as unknown;
    const compiled = await outcome(compiledPipe, text);
    const fellBack = superTransform.mock.calls.length > 0;
    const reference = await outcome(referencePipe, text);
    expect(compiled).toStrictEqual(reference);
    expect(fellBack).toBe(needsValidationPipe(parsed));
    return fellBack;
  } finally {
    superTransform.mockRestore();
  }
}

/** A body the compiled path leaves to ValidationPipe: an exposed value that is an object. */
function needsValidationPipe(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  if (Object.keys(value).length === 0) return false;
  const { name, lang } = value as Record<string, unknown>;
  return [name, lang].some((field) => typeof field === 'object' && field !== null);
}

const json = (value: unknown): string => JSON.stringify(value);
const nested = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const unknownKeys = (count: number): Record<string, number> =>
  Object.fromEntries(Array.from({ length: count }, (_, index) => [`k${index}`, index]));

const valid: Record<string, string> = {
  'name only': json({ name: 'Alice' }),
  'name and lang': json({ name: 'Alice', lang: 'fr' }),
  'upper-case lang': json({ name: 'Alice', lang: 'FR' }),
  'mixed-case lang': json({ name: 'Alice', lang: 'Pt' }),
  'padded name': json({ name: ' \t Alice \n ' }),
  'name of exactly the limit after trim': json({ name: `  ${'a'.repeat(NAME_MAX_LENGTH)}  ` }),
  'name of the limit in astral characters': json({ name: '🙂'.repeat(NAME_MAX_LENGTH / 2) }),
  'unicode name': json({ name: 'Zoë 李 ßẞ 🙂' }),
  'lang de': json({ name: 'Alice', lang: 'de' }),
  'extra unknown keys': json({ name: 'Alice', lang: 'es', role: 'admin', nested: { a: [1, 2] } }),
  'name that looks like a message token': json({ name: '$property $value $target' }),
  'lang undefined by omission with other keys': json({ name: 'Bo', other: null }),
};

const invalid: Record<string, string> = {
  'empty object': '{}',
  'missing name': json({ lang: 'en' }),
  'null name': json({ name: null }),
  'number name': json({ name: 42 }),
  'zero name': json({ name: 0 }),
  'boolean name': json({ name: true }),
  'false name': json({ name: false }),
  'array name': json({ name: ['Alice'] }),
  'empty array name': json({ name: [] }),
  'object name': json({ name: { first: 'Alice' } }),
  'empty name': json({ name: '' }),
  'whitespace-only name': json({ name: ' \t\n ' }),
  'name one over the limit': json({ name: 'a'.repeat(NAME_MAX_LENGTH + 1) }),
  'padded name one over the limit': json({ name: ` ${'a'.repeat(NAME_MAX_LENGTH + 1)} ` }),
  'very long name': json({ name: 'a'.repeat(100_000) }),
  'number lang': json({ name: 'Alice', lang: 7 }),
  'null lang': json({ name: 'Alice', lang: null }),
  'boolean lang': json({ name: 'Alice', lang: false }),
  'array lang': json({ name: 'Alice', lang: ['en'] }),
  'object lang': json({ name: 'Alice', lang: { code: 'en' } }),
  'unsupported lang': json({ name: 'Alice', lang: 'xx' }),
  'padded lang': json({ name: 'Alice', lang: ' fr ' }),
  'empty lang': json({ name: 'Alice', lang: '' }),
  'very long lang': json({ name: 'Alice', lang: 'x'.repeat(100_000) }),
  'lang with message tokens': json({
    name: 'Alice',
    lang: '$property $value $target $constraint1',
  }),
  'lang with astral characters past the shortening': json({ name: 'A', lang: '🙂'.repeat(60) }),
  'both fields bad': json({ name: 1, lang: 2 }),
  'empty name and bad lang': json({ name: '', lang: 'zz' }),
  'missing name and bad lang': json({ lang: 'zz' }),
  'null body': 'null',
  'array body': json([{ name: 'Alice' }]),
  'string body': json('Alice'),
  'empty string body': '""',
  'number body': '42',
};

const hostile: Record<string, string> = {
  'thousands of unknown keys': json({ ...unknownKeys(5_000), name: 'Alice' }),
  'thousands of unknown keys, no name': json(unknownKeys(5_000)),
  '__proto__ carrying a name': '{"__proto__":{"name":"Mallory"}}',
  '__proto__ carrying a lang': '{"__proto__":{"lang":"xx"},"name":"Alice"}',
  'constructor.prototype': '{"constructor":{"prototype":{"name":"Mallory"}},"name":"Alice"}',
  'constructor only': '{"constructor":"x"}',
  'prototype key': '{"prototype":{"lang":"xx"},"name":"Alice","lang":"it"}',
  'null __proto__': '{"name":"Alice","__proto__":null}',
  'keys differing in case': json({ NAME: 'Alice', Lang: 'fr', name: 'Bob' }),
  'name as deeply nested object': `{"name":${nested(1_000)}}`,
  'lang as deeply nested object': `{"name":"Alice","lang":${nested(1_000)}}`,
  'name object with hostile keys': '{"name":{"__proto__":{"x":1},"constructor":"x","toString":1}}',
  'lang object with toString': '{"name":"Alice","lang":{"toString":1,"valueOf":2}}',
  'unknown deeply nested value': `{"name":"Alice","extra":${nested(1_000)}}`,
  'duplicate keys': '{"name":"first","name":"second","lang":"EN","lang":"xx"}',
};

describe('RequestValidationPipe: compiled body validation against ValidationPipe', () => {
  it.each(Object.entries({ ...valid }))('valid body: %s', async (_case, text) => {
    await expectSameOutcome(text);
    await expect(compiledPipe.transform(JSON.parse(text), body)).resolves.toBeInstanceOf(
      GreetRequestDto,
    );
  });

  it.each(Object.entries(invalid))('invalid body: %s', async (_case, text) => {
    await expectSameOutcome(text);
    await expect(compiledPipe.transform(JSON.parse(text), body)).rejects.toBeInstanceOf(
      HttpException,
    );
  });

  it.each(Object.entries(hostile))('hostile body: %s', async (_case, text) => {
    await expectSameOutcome(text);
  });

  it('leaves the body it validates as it came (ValidationPipe strips keys from it)', async () => {
    const text = '{"__proto__":{"a":1},"constructor":"c","name":" Alice ","extra":{"prototype":1}}';
    const parsed = JSON.parse(text) as object;
    await compiledPipe.transform(parsed, body);
    expect(JSON.stringify(parsed)).toBe(text);
  });

  it('gives the same outcome for generated bodies biased toward name and lang', async () => {
    const field = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.constantFrom('en', 'FR', 'de', ' es', 'xx', '', '  ', '$property'),
      },
      { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 120 }) },
      { weight: 1, arbitrary: fc.string({ minLength: 95, maxLength: 105 }).map((s) => ` ${s} `) },
      {
        weight: 2,
        arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null)),
      },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    );
    const key = fc.oneof(
      fc.constantFrom('name', 'lang', 'Name', 'LANG', '__proto__', 'constructor', 'prototype'),
      fc.string(),
    );
    const objectBody = fc
      .tuple(
        fc.record({ name: field, lang: field }, { requiredKeys: [] }),
        fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 8 }),
        fc.boolean(),
      )
      .map(([known, extra, knownFirst]) =>
        knownFirst ? { ...known, ...extra } : { ...extra, ...known },
      );
    const anyBody = fc.oneof(
      { weight: 9, arbitrary: objectBody },
      { weight: 1, arbitrary: fc.jsonValue() },
    );

    let compiledRuns = 0;
    await fc.assert(
      fc.asyncProperty(anyBody, async (value) => {
        if (!(await expectSameOutcome(JSON.stringify(value)))) compiledRuns += 1;
      }),
      { numRuns: 3_000 },
    );
    // Most generated bodies must exercise the compiled path, not ValidationPipe's.
    expect(compiledRuns).toBeGreaterThan(1_500);
  });
});
