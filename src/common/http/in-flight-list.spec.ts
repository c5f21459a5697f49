import { InFlightLinks, InFlightList } from './in-flight-list';

class Item implements InFlightLinks<Item> {
  prevInFlight: Item | undefined = undefined;
  nextInFlight: Item | undefined = undefined;
  constructor(readonly name: string) {}
}

const names = (list: InFlightList<Item>) => list.toArray().map((item) => item.name);

describe('InFlightList', () => {
  it('lists what was added, newest first, and counts it', () => {
    const list = new InFlightList<Item>();
    ['a', 'b', 'c'].forEach((name) => list.add(new Item(name)));
    expect(names(list)).toEqual(['c', 'b', 'a']);
    expect(list.size).toBe(3);
  });

  it('removes the head, a middle and the tail member', () => {
    const list = new InFlightList<Item>();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => new Item(name));
    [a, b, c, d].forEach((item) => list.add(item));
    list.remove(d);
    expect(names(list)).toEqual(['c', 'b', 'a']);
    list.remove(b);
    expect(names(list)).toEqual(['c', 'a']);
    list.remove(a);
    expect(names(list)).toEqual(['c']);
    list.remove(c);
    expect(names(list)).toEqual([]);
    expect(list.size).toBe(0);
  });

  it('ignores a member removed twice or never added', () => {
    const list = new InFlightList<Item>();
    const [a, b] = [new Item('a'), new Item('b')];
    list.add(a);
    list.add(b);
    list.remove(a);
    list.remove(a);
    list.remove(new Item('stranger'));
    expect(names(list)).toEqual(['b']);
    expect(list.size).toBe(1);
  });

  it('can be re-joined after leaving', () => {
    const list = new InFlightList<Item>();
    const [a, b] = [new Item('a'), new Item('b')];
    list.add(a);
    list.add(b);
    list.remove(a);
    list.add(a);
    expect(names(list)).toEqual(['a', 'b']);
    expect(list.size).toBe(2);
  });

  it('keeps every member across many joins and leaves in any order', () => {
    const list = new InFlightList<Item>();
    const live = new Set<Item>();
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const pool = Array.from({ length: 60 }, (_, i) => new Item(String(i)));
    for (let step = 0; step < 5000; step++) {
      const item = pool[Math.floor(random() * pool.length)];
      if (live.has(item)) {
        list.remove(item);
        live.delete(item);
      } else {
        list.add(item);
        live.add(item);
      }
      expect(list.size).toBe(live.size);
    }
    expect(new Set(list.toArray())).toEqual(live);
  });
});
