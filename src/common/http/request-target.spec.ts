import { pathOf } from './request-target';

describe('pathOf', () => {
  it.each([
    ['/greet', '/greet'],
    ['/greet?x=1', '/greet'],
    ['/greet/languages#frag', '/greet/languages'],
    ['/a?b#c', '/a'],
    ['http://user:pw@host/greet?token=1', '/greet'],
    ['https://host', '/'],
    ['*', '*'],
  ])('%s → %s', (target, path) => {
    expect(pathOf(target)).toBe(path);
  });
});
