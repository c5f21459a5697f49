import type { IncomingMessage, ServerResponse } from 'node:http';

type Message = IncomingMessage | ServerResponse;

export interface MessageSlot<T, M extends Message> {
  readonly set: (message: M, value: T) => void;
  readonly get: (message: M) => T | undefined;
}

/**
 * A value carried on one request or response for the rest of its handling (a decision, an error
 * reason), read back by the access log and metrics when it is done: a symbol-keyed property,
 * cheaper on the request path than a WeakMap lookup and invisible to JSON and header code.
 */
export function messageSlot<T, M extends Message>(name: string): MessageSlot<T, M> {
  const key = Symbol(name);
  type Carrier = M & { [key]?: T };
  return {
    set: (message, value) => {
      (message as Carrier)[key] = value;
    },
    get: (message) => (message as Carrier)[key],
  };
}
