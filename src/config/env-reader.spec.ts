import { ConfigValidationError } from './config-validation.error';
import { EnvReader } from './env-reader';
import { problemsOf } from './config-problems.testing';

function readerProblems(run: (reader: EnvReader) => void): readonly string[] {
  return problemsOf(() => {
    const reader = new EnvReader({ PORT: 'x', LIMIT: '2mb', LIST: ' a, ,b ,', FLAG: 'yes' });
    run(reader);
    reader.done();
  });
}

describe('EnvReader', () => {
  it('uses the fallback for unset or blank variables', () => {
    const reader = new EnvReader({ BLANK: '   ' });
    expect(reader.integer('MISSING', 5000, 1, 65535)).toBe(5000);
    expect(reader.integer('BLANK', 7, 1, 10)).toBe(7);
    expect(reader.boolean('MISSING', false)).toBe(false);
    expect(reader.byteSize('MISSING', '1mb', '10mb')).toBe(1024 * 1024);
    expect(reader.list('MISSING', ['d'])).toEqual(['d']);
    expect(() => reader.done()).not.toThrow();
  });

  it('parses sizes in bytes, kb and mb', () => {
    const reader = new EnvReader({ A: '512kb', B: '2mb', C: '1000', D: '1.5kb' });
    expect(reader.byteSize('A', '1mb', '10mb')).toBe(512 * 1024);
    expect(reader.byteSize('B', '1mb', '10mb')).toBe(2 * 1024 * 1024);
    expect(reader.byteSize('C', '1mb', '10mb')).toBe(1000);
    expect(reader.byteSize('D', '1mb', '10mb')).toBe(1536);
  });

  it('refuses sizes above the cap, naming it', () => {
    const atCap = new EnvReader({ A: '10mb' });
    expect(atCap.byteSize('A', '1mb', '10mb')).toBe(10 * 1024 * 1024);
    expect(() => atCap.done()).not.toThrow();
    const over = new EnvReader({ B: '10485761', C: '5gb' });
    over.byteSize('B', '1mb', '10mb');
    over.byteSize('C', '1mb', '10mb');
    expect(() => over.done()).toThrow(
      'B must be a size from 1 byte to 10mb such as "512kb", "1mb" or a byte count, got "10485761"\n' +
        'C must be a size from 1 byte to 10mb such as "512kb", "1mb" or a byte count, got "5gb"',
    );
  });

  it('trims list elements and drops empty ones', () => {
    expect(new EnvReader({ L: ' a, ,b ,' }).list('L', [])).toEqual(['a', 'b']);
  });

  it('collects every problem, each naming the variable and the value', () => {
    expect(
      readerProblems((reader) => {
        reader.integer('PORT', 5000, 1, 65535);
        reader.boolean('FLAG', false);
      }),
    ).toEqual([
      'PORT must be an integer 1-65535, got "x"',
      'FLAG must be "true" or "false", got "yes"',
    ]);
  });

  it.each(['0x10', '1e3', '+5', '5.0', '٣'])('refuses %j as an integer', (value) => {
    const reader = new EnvReader({ N: value });
    reader.integer('N', 1, 0, 100_000);
    expect(() => reader.done()).toThrow(ConfigValidationError);
  });

  it('trims before parsing an integer', () => {
    const reader = new EnvReader({ N: ' 5 ' });
    expect(reader.integer('N', 1, 0, 100_000)).toBe(5);
    expect(() => reader.done()).not.toThrow();
  });
});
