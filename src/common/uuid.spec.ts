import { randomUuid } from './uuid';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('randomUuid', () => {
  it('gives version 4 UUIDs, all different, across several batches of random bytes', () => {
    const ids = Array.from({ length: 1000 }, () => randomUuid());
    for (const id of ids) expect(id).toMatch(V4);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('uses every hex digit in every free position (the bytes are random, not a counter)', () => {
    const seen = Array.from({ length: 36 }, () => new Set<string>());
    for (let i = 0; i < 4000; i++) {
      const id = randomUuid();
      for (let at = 0; at < 36; at++) seen[at].add(id[at]);
    }
    const fixed = new Map([
      [8, '-'],
      [13, '-'],
      [14, '4'],
      [18, '-'],
      [23, '-'],
    ]);
    for (let at = 0; at < 36; at++) {
      if (fixed.has(at)) expect([...seen[at]]).toEqual([fixed.get(at)]);
      else if (at === 19) expect([...seen[at]].sort()).toEqual(['8', '9', 'a', 'b']);
      else expect(seen[at].size).toBe(16);
    }
  });
});
