import type { IncomingMessage } from 'node:http';
import { clientAddress } from './client-address';

function request(peer: string | undefined, forwardedFor?: string): IncomingMessage {
  return {
    socket: { remoteAddress: peer },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  } as unknown as IncomingMessage;
}

describe('clientAddress', () => {
  it('with no trusted proxy, is the socket peer and ignores X-Forwarded-For', () => {
    expect(clientAddress(request('10.0.0.1', '203.0.113.9'), 0)).toBe('10.0.0.1');
  });

  it.each([
    // [X-Forwarded-For, trusted hops, client]
    ['203.0.113.9', 1, '203.0.113.9'],
    ['198.51.100.1, 203.0.113.9', 1, '203.0.113.9'],
    ['198.51.100.1,203.0.113.9', 2, '198.51.100.1'],
    ['spoofed, 198.51.100.1, 203.0.113.9', 2, '198.51.100.1'],
    // Fewer entries than hops: the leftmost is the furthest a trusted hop vouches for.
    ['203.0.113.9', 3, '203.0.113.9'],
    ['203.0.113.9:4711', 1, '203.0.113.9'],
    ['[2001:db8::1]:443', 1, '2001:db8::1'],
    ['2001:db8::1', 1, '2001:db8::1'],
    [' 203.0.113.9 ', 1, '203.0.113.9'],
  ])('X-Forwarded-For %j with %d trusted hop(s) is %s', (header, hops, client) => {
    expect(clientAddress(request('10.0.0.1', header), hops)).toBe(client);
  });

  it.each([['unknown'], ['203.0.113.9, not-an-ip'], [''], ['1.2.3.4, ']])(
    'an entry that is not an address (%j) is not believed: the socket peer',
    (header) => {
      expect(clientAddress(request('10.0.0.1', header), 1)).toBe('10.0.0.1');
    },
  );

  it('drops an IPv6 zone id, however long, and refuses entries longer than any address', () => {
    expect(clientAddress(request('10.0.0.1', 'fe80::1%eth0'), 1)).toBe('fe80::1');
    expect(clientAddress(request('10.0.0.1', `fe80::1%${'a'.repeat(16_000)}`), 1)).toBe('fe80::1');
    expect(clientAddress(request('10.0.0.1', `${'0:'.repeat(40)}1`), 1)).toBe('10.0.0.1');
  });

  it('without X-Forwarded-For, is the socket peer', () => {
    expect(clientAddress(request('10.0.0.1'), 2)).toBe('10.0.0.1');
  });

  it('reads only the trusted end of a long header', () => {
    const header = `${'9.9.9.9, '.repeat(1000)}203.0.113.9`;
    expect(clientAddress(request('10.0.0.1', header), 1)).toBe('203.0.113.9');
  });

  it('is empty when the socket is gone and nothing else is known', () => {
    expect(clientAddress(request(undefined), 0)).toBe('');
  });
});
