import { shorten } from './shorten';

describe('shorten', () => {
  it('keeps text of at most max code points', () => {
    expect(shorten('abc', 3)).toBe('abc');
    expect(shorten('', 3)).toBe('');
    expect(shorten('ab😀', 3)).toBe('ab😀');
  });

  it('cuts longer text after max code points and marks the cut', () => {
    expect(shorten('abcd', 3)).toBe('abc…');
  });

  it('never splits a surrogate pair', () => {
    const text = `${'a'.repeat(39)}😀b`;
    expect(shorten(text, 40)).toBe(`${'a'.repeat(39)}😀…`);
    expect(shorten(`${'a'.repeat(39)}😀`, 40)).toBe(`${'a'.repeat(39)}😀`);
    expect(shorten('😀😀😀', 2)).toBe('😀😀…');
  });

  it('leaves lone surrogates as they are, one code point each', () => {
    expect(shorten('\ud83dxy', 2)).toBe('\ud83dx…');
  });
});
