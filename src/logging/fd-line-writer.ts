import { writeSync as fsWriteSync } from 'node:fs';

/** How long a write to a full non-blocking pipe waits before it tries again (as sonic-boom). */
const BUSY_RETRY_MS = 10;
/** A reader that takes nothing for this long is given up on: the lines are dropped, not kept. */
const BUSY_GIVE_UP_MS = 2000;

type WriteSync = (fd: number, buffer: Buffer, offset: number, length: number) => number;

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Printable ASCII but `"` and `\\`: what JSON.stringify writes as it is, between quotes. */
export const PLAIN_JSON = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const ZERO = 0x30;

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

  /**
   * Starts a line written piece by piece (raw, str, int) straight into the buffer, so no string of
   * the whole line is built: makes room for `maxBytes` and returns true, or false when the line
   * could not fit even in an empty buffer (the caller then builds a string and calls write).
   */
  begin(maxBytes: number): boolean {
    if (maxBytes > this.buffer.length) return false;
    if (maxBytes > this.buffer.length - this.used) this.drain();
    return true;
  }

  /** Trusted ASCII text (a key, a fixed value); only between begin() and the line's end. */
  raw(text: string): void {
    this.used += this.buffer.write(text, this.used, 'latin1');
  }

  /** `value` as a JSON string literal: the bytes JSON.stringify gives, without its string. */
  str(value: string): void {
    if (PLAIN_JSON.test(value)) {
      this.buffer[this.used++] = QUOTE;
      this.used += this.buffer.write(value, this.used, 'latin1');
      this.buffer[this.used++] = QUOTE;
    } else {
      this.used += this.buffer.write(JSON.stringify(value), this.used, 'utf8');
    }
  }

  /**
   * Part of a JSON string literal (its quotes written with raw()): the characters JSON.stringify
   * would write for `value`, escaped, without its string.
   */
  part(value: string): void {
    if (PLAIN_JSON.test(value)) {
      this.used += this.buffer.write(value, this.used, 'latin1');
      return;
    }
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i);
      if (code === QUOTE || code === BACKSLASH) {
        this.buffer[this.used++] = BACKSLASH;
        this.buffer[this.used++] = code;
      } else if (code >= 0x20 && code <= 0x7e) {
        this.buffer[this.used++] = code;
      } else {
        // Control characters, non-ASCII, lone surrogates: JSON.stringify knows them all.
        const rest = JSON.stringify(value.slice(i));
        this.used += this.buffer.write(rest.slice(1, -1), this.used, 'utf8');
        return;
      }
    }
  }

  /** A non-negative safe integer, in decimal digits. */
  int(value: number): void {
    if (value < 10) {
      this.buffer[this.used++] = ZERO + value;
      return;
    }
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    let at = this.used + digits;
    this.used = at;
    for (let rest = value; at > this.used - digits; rest = Math.floor(rest / 10)) {
      this.buffer[--at] = ZERO + (rest % 10);
    }
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
