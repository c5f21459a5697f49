import type { IncomingMessage } from 'node:http';
import { requestPath } from './request-target';

const withTarget = (url: string) => ({ url, headers: {} }) as IncomingMessage;

describe('requestPath', () => {
  it.each([
    ['/greet', '/greet'],
    ['/greet?x=1', '/greet'],
    ['/greet/languages#frag', '/greet/languages'],
    ['/a?b#c', '/a'],
    ['http://user:pw@host/greet?token=1', '/greet'],
    ['https://host', '/'],
    // The router sees "/" here, not /greet/languages: so must the CORS lookup.
    ['http://h?/greet/languages', '/'],
  ])('%s → %s', (target, path) => {
    expect(requestPath(withTarget(target))).toBe(path);
  });

  it.each(['h://x?/greet', 'http://[::1/greet/languages', '*'])(
    '%s has no usable path',
    (target) => {
      expect(requestPath(withTarget(target))).toBeUndefined();
    },
  );
});
