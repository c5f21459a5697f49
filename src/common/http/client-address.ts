import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** How many proxies may stand in front of the service (TRUST_PROXY). */
export const MAX_TRUSTED_PROXIES = 16;

/**
 * The client's address under TRUST_PROXY=`trustedHops`: with 0, the socket's peer, whatever
 * `X-Forwarded-For` says (a client cannot buy a fresh budget by sending one); with n, the n-th
 * address from the right of `X-Forwarded-For`, the one the outermost trusted proxy saw. With
 * fewer entries than n, the leftmost entry is the furthest any trusted hop vouches for. An entry
 * that is not an IP address (a proxy trusted by mistake passing the client's text on) is not
 * believed: the socket's peer is used instead. Only the last n entries are looked at, so a long
 * header costs no more than a short one. Every path to the service must cross all n proxies: a
 * client that reaches it past one of them can choose the address it is counted as.
 */
export function clientAddress(req: IncomingMessage, trustedHops: number): string {
  const peer = req.socket.remoteAddress ?? '';
  if (trustedHops === 0) return peer;
  // Node joins repeated X-Forwarded-For lines with ', ' (typed as a list all the same).
  const given = req.headers['x-forwarded-for'];
  const header = Array.isArray(given) ? given.join(', ') : given;
  if (header === undefined || header === '') return peer;
  let end = header.length;
  let entry = '';
  for (let hop = 0; hop < trustedHops && end > 0; hop++) {
    const comma = header.lastIndexOf(',', end - 1);
    entry = header.slice(comma + 1, end).trim();
    end = comma < 0 ? 0 : comma;
  }
  const address = withoutZone(withoutPort(entry));
  return address.length > MAX_ADDRESS_LENGTH || isIP(address) === 0 ? peer : address;
}

/**
 * The longest IP address text (`ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255`): anything longer
 * is not one. Node's isIP accepts an IPv6 zone id of any length, so the zone goes first.
 */
const MAX_ADDRESS_LENGTH = 45;

/** `fe80::1%eth0` without its zone: the zone names the sender's interface, not the client. */
function withoutZone(address: string): string {
  const percent = address.indexOf('%');
  return percent < 0 ? address : address.slice(0, percent);
}

/** `1.2.3.4:5678` and `[2001:db8::1]:443`, as some proxies write them, without the port. */
function withoutPort(entry: string): string {
  if (entry.startsWith('[')) {
    const close = entry.indexOf(']');
    return close < 0 ? entry : entry.slice(1, close);
  }
  const colon = entry.indexOf(':');
  return colon >= 0 && colon === entry.lastIndexOf(':') ? entry.slice(0, colon) : entry;
}
