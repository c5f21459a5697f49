import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FdLineWriter } from './fd-line-writer';

/** A write(2) that records every call and can take less than it is given or fail. */
function recordingWrite(behaviour: (call: number, length: number) => number | string) {
  const calls: { bytes: string; length: number }[] = [];
  const write = (_fd: number, buffer: Buffer, offset: number, length: number): number => {
    const outcome = behaviour(calls.length, length);
    if (typeof outcome === 'string') {
      calls.push({ bytes: '', length });
      throw Object.assign(new Error(outcome), { code: outcome });
    }
    calls.push({ bytes: buffer.subarray(offset, offset + outcome).toString('utf8'), length });
    return outcome;
  };
  return { calls, write, written: () => calls.map((c) => c.bytes).join('') };
}

describe('FdLineWriter', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'fd-line-writer-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes every line to the descriptor, in order and byte for byte, a batch at a time', () => {
    const path = join(dir, 'out.log');
    const fd = openSync(path, 'w');
    const writes: number[] = [];
    const writer = new FdLineWriter(fd, 1024, (f, b, o, l) => {
      writes.push(l);
      return writeSync(f, b, o, l);
    });
    const lines = Array.from(
      { length: 200 },
      (_, i) => `{"n":${i},"s":"${'é✓😀x'.repeat(i % 7)}","pad":"${'x'.repeat(i % 50)}"}\n`,
    );
    lines.push(`{"big":"${'y'.repeat(2000)}"}\n`, 'after\n');
    for (const line of lines) writer.write(line);
    writer.flushSync();
    closeSync(fd);
    expect(readFileSync(path, 'utf8')).toBe(lines.join(''));
    // Batched: far fewer writes than lines, and none larger than the buffer except the big line.
    expect(writes.length).toBeLessThan(lines.length / 2);
    expect(writes.filter((length) => length > 1024)).toEqual([Buffer.byteLength(lines[200])]);
  });

  it('writes a line in pieces with the bytes JSON.stringify and String would give', () => {
    const { write, written } = recordingWrite((_call, length) => length);
    const writer = new FdLineWriter(1, 4096, write);
    const strings = [
      'plain',
      '',
      'a"b\\c',
      'tab\tnew\nline',
      '\u0000\u001f\u007f',
      'é✓😀',
      '\ud800 lone',
      'x\u2028y',
    ];
    const numbers = [0, 7, 9, 10, 99, 100, 65_535, 1_234_567_890, Number.MAX_SAFE_INTEGER];
    let expected = '';
    for (const value of strings) {
      expect(writer.begin(512)).toBe(true);
      writer.raw('{"s":');
      writer.str(value);
      writer.raw(',"p":"<');
      writer.part(value);
      writer.raw('>"}\n');
      expected += `{"s":${JSON.stringify(value)},"p":"<${JSON.stringify(value).slice(1, -1)}>"}\n`;
    }
    for (const value of numbers) {
      writer.begin(64);
      writer.int(value);
      writer.raw('\n');
      expected += `${value}\n`;
    }
    writer.drain();
    expect(written()).toBe(expected);
  });

  it('refuses to begin a line larger than its buffer, and drains to make room', () => {
    const { calls, write } = recordingWrite((_call, length) => length);
    const writer = new FdLineWriter(1, 100, write);
    expect(writer.begin(101)).toBe(false);
    expect(writer.begin(60)).toBe(true);
    writer.raw('x'.repeat(60));
    expect(calls).toHaveLength(0);
    expect(writer.begin(60)).toBe(true);
    expect(calls.map((c) => c.length)).toEqual([60]);
  });

  it('writes nothing until drained, and nothing when nothing is pending', () => {
    const out = recordingWrite((_, length) => length);
    const writer = new FdLineWriter(3, 4096, out.write);
    writer.write('a\n');
    expect(out.calls).toHaveLength(0);
    writer.drain();
    writer.drain();
    writer.write('b\n');
    const done = jest.fn();
    writer.flush(done);
    writer.flushSync();
    expect(done).toHaveBeenCalledTimes(1);
    expect(out.calls.map((c) => c.bytes)).toEqual(['a\n', 'b\n']);
  });

  it('finishes a partial write and retries a full non-blocking pipe (EAGAIN)', () => {
    const out = recordingWrite((call, length) =>
      call === 0 ? Math.min(length, 5) : call === 1 ? 'EAGAIN' : length,
    );
    const writer = new FdLineWriter(3, 4096, out.write);
    writer.write('0123456789\n');
    writer.write('second line\n');
    writer.flushSync();
    expect(out.written()).toBe('0123456789\nsecond line\n');
    expect(out.calls.map((c) => c.length)).toEqual([23, 18, 18]);
  });

  it('drops the batch when the reader is gone (EPIPE), and keeps writing later lines', () => {
    let gone = true;
    const out = recordingWrite((_, length) => (gone ? 'EPIPE' : length));
    const writer = new FdLineWriter(3, 4096, out.write);
    writer.write('lost\n');
    expect(() => writer.flushSync()).not.toThrow();
    gone = false;
    writer.write('kept\n');
    writer.flushSync();
    expect(out.written()).toBe('kept\n');
  });

  it('gives up on a reader that takes nothing for two seconds instead of hanging', () => {
    const out = recordingWrite(() => 'EAGAIN');
    const writer = new FdLineWriter(3, 4096, out.write);
    writer.write('stuck\n');
    const started = Date.now();
    writer.flushSync();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(out.calls.length).toBeGreaterThan(10);
  });
});
