import type { IncomingMessage } from 'node:http';

/**
 * W3C Trace Context `traceparent`: version-traceid-parentid-flags, lowercase hex. Version 00 has
 * exactly these four fields; a later version may append more after a `-` (the spec's rule for
 * parsing versions it does not know). Version ff is invalid.
 */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}(-|$)/;
const ALL_ZERO_TRACE = '0'.repeat(32);
const ALL_ZERO_PARENT = '0'.repeat(16);

/**
 * The trace id of the request's `traceparent`, so a gateway's trace and this service's log lines
 * join up; undefined when absent or malformed (then it is ignored, as the spec says). Two
 * `traceparent` lines arrive joined by a comma and are therefore refused.
 */
export function traceIdOf(req: IncomingMessage): string | undefined {
  const value = req.headers.traceparent;
  if (typeof value !== 'string' || value.length < 55) return undefined;
  const match = TRACEPARENT.exec(value);
  if (match === null) return undefined;
  const [, version, traceId, parentId, more] = match;
  if (version === 'ff' || (version === '00' && (more !== '' || value.length !== 55))) {
    return undefined;
  }
  if (traceId === ALL_ZERO_TRACE || parentId === ALL_ZERO_PARENT) return undefined;
  return traceId;
}
