import { Logger } from '@nestjs/common';
import type { CorsDecisionEvent, StrictCorsOptions } from './options';

/**
 * The application's onDecision, made safe to call from the request path: in before-routing mode
 * it runs in the server's request listener, where a throw would end the process. A throw is
 * logged; the request is answered as decided.
 */
export function decisionReporter(
  options: StrictCorsOptions,
): ((event: CorsDecisionEvent) => void) | undefined {
  const hook = options.onDecision;
  if (hook === undefined) return undefined;
  const logger = new Logger('StrictCorsModule');
  return (event) => {
    try {
      hook(event);
    } catch (error) {
      logger.error(`onDecision threw: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
}
