import { ConfigValidationError } from './config-validation.error';

/** For specs: the problems `run` reports by throwing a ConfigValidationError; [] when none. */
export function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
    return [];
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
}
