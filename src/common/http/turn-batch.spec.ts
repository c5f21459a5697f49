import { TurnBatch } from './turn-batch';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('TurnBatch', () => {
  it('runs nothing at once, then every item of the turn in order, in one later callback', async () => {
    const ran: string[] = [];
    const batch = new TurnBatch<string>(
      (item) => ran.push(item),
      () => undefined,
    );
    batch.add('a');
    batch.add('b');
    batch.add('c');
    expect(ran).toEqual([]);
    // The batch was scheduled before this promise's immediate, so it has run by then.
    await nextTurn();
    expect(ran).toEqual(['a', 'b', 'c']);
  });

  it('hands a throw to `failed` for that item and still runs the rest', async () => {
    const ran: string[] = [];
    const failures: [string, unknown][] = [];
    const batch = new TurnBatch<string>(
      (item) => {
        if (item === 'bad') throw new Error('boom');
        ran.push(item);
      },
      (item, error) => failures.push([item, error]),
    );
    batch.add('a');
    batch.add('bad');
    batch.add('b');
    await nextTurn();
    expect(ran).toEqual(['a', 'b']);
    expect(failures).toHaveLength(1);
    expect(failures[0][0]).toBe('bad');
    expect((failures[0][1] as Error).message).toBe('boom');
  });

  it('puts an item offered while a batch runs into the next batch', async () => {
    const ran: string[] = [];
    let batch: TurnBatch<string> | undefined = undefined;
    batch = new TurnBatch<string>(
      (item) => {
        ran.push(item);
        if (item === 'a') batch?.add('late');
      },
      () => undefined,
    );
    batch.add('a');
    batch.add('b');
    await nextTurn();
    expect(ran).toEqual(['a', 'b']);
    await nextTurn();
    expect(ran).toEqual(['a', 'b', 'late']);
  });

  it('schedules a new batch for the next turn once one has run', async () => {
    const ran: number[] = [];
    const batch = new TurnBatch<number>(
      (item) => ran.push(item),
      () => undefined,
    );
    batch.add(1);
    await nextTurn();
    batch.add(2);
    expect(ran).toEqual([1]);
    await nextTurn();
    expect(ran).toEqual([1, 2]);
  });
});
