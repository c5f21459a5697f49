/**
 * A startup failure whose message already says what to do (a port in use names its variable):
 * main.ts prints the message alone, without a stack trace that would bury it.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/** A listen error as one line naming the variables, e.g. `PORT=5000 on HOST=0.0.0.0: EADDRINUSE`. */
export function listenError(
  error: unknown,
  port: { name: string; value: number },
  host: { name: string; value: string },
  hint: string,
): StartupError {
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  return new StartupError(
    `${port.name}=${port.value} on ${host.name}=${host.value} cannot be listened on: ${code} (${hint})`,
  );
}
