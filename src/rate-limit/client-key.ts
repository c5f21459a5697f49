import { isIPv4, isIPv6 } from 'node:net';

/**
 * The budget a client address counts against: an IPv4 address as it is (IPv4-mapped IPv6
 * addresses too), an IPv6 address by its /64 prefix. One IPv6 subscriber usually holds a whole
 * /64, so keying on the full address would hand it 2^64 fresh budgets.
 */
export function clientKey(address: string): string {
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return address;
  const lower = address.toLowerCase();
  if (lower.startsWith('::ffff:') && isIPv4(lower.slice(7))) return lower.slice(7);
  return `${expandIPv6(lower).slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address, without leading zeros (`::` expanded). */
function expandIPv6(address: string): string[] {
  // An embedded IPv4 tail (::ffff:1.2.3.4 was handled; 64:ff9b::1.2.3.4 and the like remain).
  let text = address.split('%')[0];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted !== null) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text =
      text.slice(0, dotted.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill =
    tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((group) => (parseInt(group, 16) || 0).toString(16));
}
