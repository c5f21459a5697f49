import { LineBatch } from './root-logger';

class Recorder {
  readonly writes: string[] = [];
  flushes = 0;
  write(data: string): boolean {
    this.writes.push(data);
    return true;
  }
  flush(callback?: (error?: Error) => void): void {
    this.flushes++;
    callback?.();
  }
  flushSync(): void {
    this.flushes++;
  }
}

describe('LineBatch', () => {
  it('writes lines in order, about `limit` characters at a time, and loses none at a flush', () => {
    const out = new Recorder();
    const batch = new LineBatch(out, 100);
    const lines = Array.from({ length: 25 }, (_, i) => `{"n":${i},"pad":"${'x'.repeat(i)}"}\n`);
    for (const line of lines) batch.write(line);
    expect(out.writes.length).toBeGreaterThan(3);
    for (const chunk of out.writes) expect(chunk.length).toBeLessThan(100 + 40);
    const done = jest.fn();
    batch.flush(done);
    expect(done).toHaveBeenCalled();
    expect(out.writes.join('')).toBe(lines.join(''));
  });

  it('flushSync and drain hand over what is pending, and write nothing when nothing is', () => {
    const out = new Recorder();
    const batch = new LineBatch(out, 4096);
    batch.write('a\n');
    batch.drain();
    batch.drain();
    batch.write('b\n');
    batch.flushSync();
    expect(out.writes).toEqual(['a\n', 'b\n']);
    expect(out.flushes).toBe(1);
  });
});
