import { ArgumentMetadata, HttpException, ValidationPipe } from '@nestjs/common';
import { Expose, Transform, Type } from 'class-transformer';
import {
  Allow,
  IsDefined,
  IsInt,
  IsString,
  MaxLength,
  registerDecorator,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { GreetRequestDto } from '../../greet/dto/greet-request.dto';
import { compileBodyValidator, USE_VALIDATION_PIPE } from './compiled-validator';
import { RequestValidationPipe } from './request-validation.pipe';

class CountDto {
  @Expose()
  @IsString({ message: 'label must be a string' })
  readonly label!: string;

  @Expose()
  @IsInt({ message: 'count must be an integer' })
  readonly count!: number;
}

class GroupedDto {
  @Expose()
  @IsString({ groups: ['admin'] })
  readonly name!: string;
}

class EachDto {
  @Expose()
  @IsString({ each: true })
  readonly tags!: string[];
}

class ChildDto {
  @Expose()
  @IsString()
  readonly name!: string;
}

class NestedDto {
  @Expose()
  @ValidateNested()
  @Type(() => ChildDto)
  readonly child!: ChildDto;
}

class RenamedDto {
  @Expose({ name: 'full_name' })
  @IsString()
  readonly name!: string;
}

class DefinedDto {
  @Expose()
  @IsDefined()
  readonly name!: string;
}

/** A validator registered as asynchronous: class-validator awaits it. */
const IsStringLater = (): PropertyDecorator => (object, propertyName) =>
  registerDecorator({
    name: 'isString',
    async: true,
    target: object.constructor,
    propertyName: String(propertyName),
    validator: { validate: () => Promise.resolve(true) },
  });

class AsyncDto {
  @Expose()
  @IsStringLater()
  readonly name!: string;
}

/** Registered as synchronous, answering with a promise all the same. */
class PromisingDto {
  @Expose()
  @ValidateBy({ name: 'isString', validator: { validate: () => Promise.resolve(false) } })
  readonly name!: string;
}

class ThrowingDto {
  @Expose()
  @IsString()
  readonly name!: string;

  constructor() {
    throw new Error('no default instance');
  }
}

class UnexposedDto {
  @IsString()
  readonly name!: string;
}

/** Supported pieces used the ways GreetRequestDto does not: defaults, messages, whitelist. */
class SupportedDto {
  @Expose()
  @IsString()
  @MaxLength(3)
  @Transform(({ value, key }: { value: unknown; key: string }) =>
    typeof value === 'string' ? `${key}:${value}` : value,
  )
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.toUpperCase() : value,
  )
  readonly code: string = 'abc';

  @Expose()
  @ValidateIf((object: SupportedDto) => object.code !== 'SKIP')
  @IsString({ message: ({ property, value }) => `${property} got ${typeof value}` })
  readonly note?: string;

  @Expose()
  @Allow()
  readonly tag?: unknown;

  readonly unruled = 'stripped by whitelist';
}

const metadata = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({
  type: 'body',
  metatype,
  data: undefined,
});

async function settle(promise: Promise<unknown>): Promise<unknown> {
  try {
    const value = (await promise) as object;
    return { instanceOf: Object.getPrototypeOf(value) as object, properties: { ...value } };
  } catch (error) {
    const exception = error as HttpException;
    return { error: exception.constructor, message: exception.message };
  }
}

describe('compileBodyValidator', () => {
  it('compiles the service DTO', () => {
    expect(compileBodyValidator(GreetRequestDto)).toHaveProperty('validate');
  });

  it.each([
    ['an unsupported validator (@IsInt)', CountDto, 'validator isInt'],
    ['validation groups', GroupedDto, 'groups on name'],
    ['each', EachDto, 'each on tags'],
    ['@Type and nested validation', NestedDto, '@Type on child'],
    ['a renamed key', RenamedDto, '@Expose with a name'],
    ['IsDefined', DefinedDto, 'isDefined on name'],
    ['an asynchronous validator', AsyncDto, 'validator isString'],
    ['no @Expose()', UnexposedDto, 'no @Expose()d property'],
    ['a plain Object metatype', Object, 'not a DTO class'],
    ['a constructor that throws', ThrowingDto, 'no default instance'],
  ])('leaves a class with %s to ValidationPipe', (_case, metatype, reason) => {
    expect(compileBodyValidator(metatype)).toEqual({ unsupported: reason });
  });

  it('hands back a body whose exposed value is an object', () => {
    const compilation = compileBodyValidator(GreetRequestDto);
    if (!('validate' in compilation)) throw new Error(compilation.unsupported);
    expect(compilation.validate({ name: { first: 'A' } })).toBe(USE_VALIDATION_PIPE);
    expect(compilation.validate({ name: 'A', lang: ['en'] })).toBe(USE_VALIDATION_PIPE);
    expect(compilation.validate(new Uint8Array([1]))).toBe(USE_VALIDATION_PIPE);
  });

  it('hands back a body a validator answers with a promise for', () => {
    const compilation = compileBodyValidator(PromisingDto);
    if (!('validate' in compilation)) throw new Error(compilation.unsupported);
    expect(compilation.validate({ name: 'A' })).toBe(USE_VALIDATION_PIPE);
  });
});

describe('RequestValidationPipe with DTOs the compiler does or does not take', () => {
  const compiledPipe = new RequestValidationPipe();
  const referencePipe = new RequestValidationPipe({ compiled: false });

  async function expectSame(metatype: ArgumentMetadata['metatype'], text: string) {
    const superTransform = jest.spyOn(ValidationPipe.prototype, 'transform');
    try {
      const compiled = await settle(compiledPipe.transform(JSON.parse(text), metadata(metatype)));
      const fellBack = superTransform.mock.calls.length > 0;
      const reference = await settle(referencePipe.transform(JSON.parse(text), metadata(metatype)));
      expect(compiled).toStrictEqual(reference);
      return { compiled, fellBack };
    } finally {
      superTransform.mockRestore();
    }
  }

  it.each([
    '{"label":"a","count":3}',
    '{"label":"a","count":3.5}',
    '{"label":7,"count":"3"}',
    '{"count":3,"extra":true}',
  ])('falls back to ValidationPipe for @IsInt and gives its result: %s', async (text) => {
    const { compiled, fellBack } = await expectSame(CountDto, text);
    expect(fellBack).toBe(true);
    expect(compiled).not.toHaveProperty('error', TypeError);
  });

  it('gives ValidationPipe’s result for a class it cannot instantiate', async () => {
    const { compiled, fellBack } = await expectSame(ThrowingDto, '{"name":"A"}');
    expect(fellBack).toBe(true);
    expect(compiled).toEqual({ error: Error, message: 'no default instance' });
  });

  it('gives ValidationPipe’s result for a validator that answers with a promise', async () => {
    const { fellBack } = await expectSame(PromisingDto, '{"name":"A"}');
    expect(fellBack).toBe(true);
  });

  it('gives class-validator’s message for @IsInt through the fallback', async () => {
    await expect(
      compiledPipe.transform({ label: 'a', count: 1.5 }, metadata(CountDto)),
    ).rejects.toThrow('count must be an integer');
  });

  it.each([
    '{"x":1}',
    '{"code":"ab"}',
    '{"code":"abcd"}',
    '{"code":5}',
    '{"note":3,"tag":{"any":"thing"}}',
    '{"note":"fine","tag":1}',
    '{"code":null,"note":null}',
    '{"unruled":"sent","note":"x"}',
    '{"code":"$constraint1","note":false}',
  ])('reproduces transforms, defaults, conditions, messages and whitelist: %s', async (text) => {
    const { fellBack } = await expectSame(SupportedDto, text);
    expect(fellBack).toBe(text.includes('{"any"'));
  });
});
