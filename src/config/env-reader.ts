import bytes from 'bytes';
import { isIP } from 'node:net';
import { ConfigValidationError } from './config-validation.error';

export type RawEnv = Readonly<Record<string, string | undefined>>;

const INTEGER = /^\d+$/;
const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * Reads typed values out of the raw environment. Problems are collected rather than thrown one at a
 * time, so a misconfigured deployment learns about every bad variable in a single failed start.
 */
export class EnvReader {
  private readonly problems: string[] = [];
  /** Every variable asked for, so the set of known variables is derived, not listed twice. */
  readonly names = new Set<string>();

  constructor(private readonly env: RawEnv) {}

  /** The trimmed value, or undefined when the variable is unset or blank. */
  raw(name: string): string | undefined {
    this.names.add(name);
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  fail(message: string): void {
    this.problems.push(message);
  }

  /** How many problems so far: lets a cross-check skip values that already failed. */
  get problemCount(): number {
    return this.problems.length;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = INTEGER.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      this.fail(`${name} must be an integer ${min}-${max}, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return parsed;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (value === 'true') return true;
    if (value === 'false') return false;
    this.fail(`${name} must be "true" or "false", got ${JSON.stringify(value)}`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.fail(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
    return fallback;
  }

  host(name: string, fallback: string): string {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (isIP(value) !== 0 || HOSTNAME.test(value)) return value;
    this.fail(`${name} must be a hostname or IP address, got ${JSON.stringify(value)}`);
    return fallback;
  }

  /** A size such as `1mb`, `512kb` or a plain byte count, at most `max`; returns bytes. */
  byteSize(name: string, fallback: string, max: string): number {
    const value = this.raw(name) ?? fallback;
    const parsed = /^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i.test(value) ? bytes.parse(value) : null;
    const maxBytes = bytes.parse(max) ?? 0;
    if (parsed === null || !Number.isSafeInteger(parsed) || parsed < 1 || parsed > maxBytes) {
      this.fail(
        `${name} must be a size from 1 byte to ${max} such as "512kb", "1mb" or a byte count, got ${JSON.stringify(value)}`,
      );
      return bytes.parse(fallback) ?? 0;
    }
    return parsed;
  }

  /** A comma-separated list; elements are trimmed and empty elements dropped. */
  list(name: string, fallback: readonly string[]): string[] {
    const value = this.raw(name);
    if (value === undefined) return [...fallback];
    return value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }

  /** Throws one error listing every problem found, if any. */
  done(): void {
    if (this.problems.length > 0) throw new ConfigValidationError(this.problems);
  }
}
