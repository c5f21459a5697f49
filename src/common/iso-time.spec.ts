import { isoNow } from './iso-time';

describe('isoNow', () => {
  afterEach(() => jest.useRealTimers());

  it('is new Date().toISOString() at every millisecond', () => {
    jest.useFakeTimers({ now: Date.UTC(2026, 11, 4, 3, 59, 59, 998) });
    for (let i = 0; i < 5; i++) {
      expect(isoNow()).toBe(new Date().toISOString());
      expect(isoNow()).toBe(new Date().toISOString());
      jest.advanceTimersByTime(1);
    }
    expect(isoNow()).toBe('2026-12-04T04:00:00.003Z');
  });
});
