import { EnvReader, RawEnv } from './env-reader';

/** Runs `read` over `env` and throws every problem it found at once. */
export function parseEnv<T>(env: RawEnv, read: (reader: EnvReader) => T): T {
  const reader = new EnvReader(env);
  const value = read(reader);
  reader.done();
  return value;
}
