import type { IncomingMessage } from 'node:http';
import { traceIdOf } from './trace-context';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

function request(traceparent?: string | string[]): IncomingMessage {
  return { headers: traceparent === undefined ? {} : { traceparent } } as IncomingMessage;
}

describe('traceIdOf (W3C traceparent)', () => {
  it.each([
    `00-${TRACE}-${PARENT}-01`,
    `00-${TRACE}-${PARENT}-00`,
    // A later version may add fields after a dash; its first four are read the same way.
    `01-${TRACE}-${PARENT}-01`,
    `cc-${TRACE}-${PARENT}-01-what-the-future-holds`,
  ])('reads the trace id of %s', (value) => {
    expect(traceIdOf(request(value))).toBe(TRACE);
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['uppercase hex', `00-${TRACE.toUpperCase()}-${PARENT}-01`],
    ['version ff', `ff-${TRACE}-${PARENT}-01`],
    ['version 00 with more fields', `00-${TRACE}-${PARENT}-01-extra`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${PARENT}-01`],
    ['all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['short trace id', `00-${TRACE.slice(1)}-${PARENT}-01`],
    ['a later version without the dash', `01-${TRACE}-${PARENT}-01x`],
    ['two headers joined by Node', `00-${TRACE}-${PARENT}-01, 00-${TRACE}-${PARENT}-01`],
    ['not hex', `00-${'z'.repeat(32)}-${PARENT}-01`],
    ['huge', `00-${TRACE}-${PARENT}-01`.padEnd(8000, 'x')],
  ])('ignores a malformed value (%s)', (_, value) => {
    expect(traceIdOf(request(value))).toBeUndefined();
  });
});
