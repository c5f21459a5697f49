import { writeSync as fsWriteSync } from 'node:fs';

/** How long a write to a full non-blocking pipe waits before it tries again (as sonic-boom). */
const BUSY_RETRY_MS = 10;
/** A reader that takes nothing for this long is given up on: the lines are dropped, not kept. */
const BUSY_GIVE_UP_MS = 2000;

type WriteSync = (fd: number, buffer: Buffer, offset: number, length: number) => number;

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Log lines gathered in one reused buffer and written to a file descriptor synchronously, a batch
 * at a time.
 *
 * Why not sonic-boom (pino.destination) behind a string batch, as before: after every write it
 * copies the string it just wrote into a new Buffer (`releaseWritingBuf`), one ArrayBuffer per
 * batch. Under load those short-lived backing stores cost ~4 µs a request and grew the peak RSS
 * with the batch size (docs/performance.md). Here a line is encoded once into the buffer and the
 * buffer is handed to write(2) as it is: nothing is allocated per line or per batch.
 *
 * Synchronous on purpose: asynchronous writes kept every line queued behind the write in flight,
 * and under a flood that queue outgrew the young generation. A log reader that cannot keep up
 * slows the service down instead of filling its memory; one that takes nothing for
 * BUSY_GIVE_UP_MS (a stalled pipe) or is gone (EPIPE) loses the batch, never the process.
 */
export class FdLineWriter {
  private readonly buffer: Buffer;
  private used = 0;

  constructor(
    private readonly fd: number,
    capacity = 16 * 1024,
    private readonly writeSync: WriteSync = fsWriteSync,
  ) {
    this.buffer = Buffer.allocUnsafeSlow(capacity);
  }

  write(line: string): boolean {
    // A UTF-16 code unit never takes more than 3 bytes in UTF-8: the line surely fits.
    const worst = line.length * 3;
    if (worst > this.buffer.length - this.used) {
      this.drain();
      if (worst > this.buffer.length) {
        this.writeAll(Buffer.from(line, 'utf8'), Buffer.byteLength(line, 'utf8'));
        return true;
      }
    }
    this.used += this.buffer.write(line, this.used, 'utf8');
    return true;
  }

  /** Writes what is pending (the periodic flush, the flushes below, a full buffer). */
  drain(): void {
    if (this.used === 0) return;
    const length = this.used;
    this.used = 0;
    this.writeAll(this.buffer, length);
  }

  flush(callback?: (error?: Error) => void): void {
    this.drain();
    callback?.();
  }

  flushSync(): void {
    this.drain();
  }

  private writeAll(buffer: Buffer, length: number): void {
    let offset = 0;
    let waited = 0;
    while (offset < length) {
      try {
        offset += this.writeSync(this.fd, buffer, offset, length - offset);
        waited = 0;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if ((code === 'EAGAIN' || code === 'EBUSY') && waited < BUSY_GIVE_UP_MS) {
          Atomics.wait(sleeper, 0, 0, BUSY_RETRY_MS);
          waited += BUSY_RETRY_MS;
          continue;
        }
        return;
      }
    }
  }
}
