/**
 * Thrown at startup when the environment holds bad values. Each problem is one line that names the
 * variable and the offending value, so an operator can fix the env file without reading code.
 */
export class ConfigValidationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigValidationError';
  }
}
