import { GreetService } from './greet.service';

describe('GreetService', () => {
  const service = new GreetService();

  it('greets in the requested language with an ISO-8601 UTC timestamp', () => {
    const now = new Date('2026-11-25T21:13:30.123Z');
    expect(service.greet({ name: 'Alice', lang: 'es' }, now)).toEqual({
      greeting: 'Hola, Alice!',
      timestamp: '2026-11-25T21:13:30.123Z',
    });
  });

  it('lists every language once with its greeting word', () => {
    const { languages } = service.listLanguages();
    expect(languages).toContainEqual({ code: 'fr', greeting: 'Bonjour' });
    expect(new Set(languages.map((l) => l.code)).size).toBe(languages.length);
  });
});
