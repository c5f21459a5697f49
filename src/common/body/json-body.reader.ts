import {
  BadRequestException,
  HttpException,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { parse as parseContentType } from 'content-type';
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import zlib from 'node:zlib';
import typeis from 'type-is';
import { ErrorMessages } from '../error-messages';
import { JsonShapeLimits, JsonShapeScanner } from './json-shape';

export interface JsonBodyLimits extends JsonShapeLimits {
  /** Most bytes read, on the wire and after decompression alike. */
  readonly limitBytes: number;
}

/**
 * Whether the request has a body declared as JSON. Bodies of other types are not read here:
 * routes that need JSON refuse them with 415.
 */
export function hasJsonBody(req: IncomingMessage): boolean {
  // What JSON clients send, answered without type-is's media-type parse (asked several times per
  // request): the same answer type-is gives for it.
  if (req.headers['content-type'] === 'application/json') return typeis.hasBody(req);
  return typeis(req, ['application/json']) === 'application/json';
}

const DECOMPRESSORS: Readonly<Record<string, (() => Transform) | undefined>> = {
  gzip: () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};

const UTF8_BOM = '\ufeff';

/**
 * Reads and parses a JSON request body, costing what the limits allow and no more:
 * - the body is read only up to `limitBytes` (counted before and after decompression, so neither
 *   a zip bomb nor endless bytes after a tiny compressed member can run on);
 * - the depth and element count are checked chunk by chunk as the bytes arrive, before
 *   JSON.parse, so a depth bomb or a body of 60,000 keys is refused after its first chunk;
 * - on any error it stops reading and throws at once, instead of draining the rest of the body
 *   the way body-parser does (the caller's answer then closes the connection).
 * Errors are HttpExceptions with the contract's fixed messages; no library text reaches a client.
 *
 * Call it only when `hasJsonBody(req)`. An empty body reads as `undefined`.
 */
export async function readJsonBody(req: IncomingMessage, limits: JsonBodyLimits): Promise<unknown> {
  assertUtf8(req.headers['content-type']);
  const scanner = new JsonShapeScanner(limits);
  const raw = await readRaw(req, limits.limitBytes, (chunk) => {
    const problem = scanner.push(chunk);
    if (problem === 'tooDeep') throw new BadRequestException(ErrorMessages.bodyTooDeep);
    if (problem === 'tooManyElements') {
      throw new BadRequestException(ErrorMessages.bodyTooManyElements);
    }
  });
  // JSON between systems is UTF-8 (RFC 8259 §8.1): bytes that are not would otherwise be decoded
  // as U+FFFD and greeted, so they are malformed JSON like any other bad byte.
  if (!isUtf8(raw)) throw new BadRequestException(ErrorMessages.malformedJson);
  let text = raw.toString('utf8');
  if (text.startsWith(UTF8_BOM)) text = text.slice(1);
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BadRequestException(ErrorMessages.malformedJson);
  }
}

/**
 * JSON on the wire is UTF-8 (RFC 8259 §8.1). Refusing other charsets also keeps the shape scan
 * exact: it reads UTF-8 bytes, and in UTF-16 or UTF-7 a bracket is not the byte it looks for.
 */
function assertUtf8(contentType: string | undefined): void {
  // What JSON clients send: no parameters, nothing to parse.
  if (contentType === 'application/json') return;
  const charset = parseContentType(contentType ?? '').parameters.charset?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new UnsupportedMediaTypeException(ErrorMessages.unsupportedCharset);
  }
}

type Inspect = (chunk: Buffer) => void;

async function readRaw(
  req: IncomingMessage,
  limitBytes: number,
  inspect: Inspect,
): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity') return collect(req, limitBytes, inspect, ErrorMessages.badRequest);
  const decompressor = DECOMPRESSORS[encoding]?.();
  if (decompressor === undefined) {
    throw new UnsupportedMediaTypeException(ErrorMessages.unsupportedEncoding);
  }
  let wireBytes = 0;
  const countWireBytes = (chunk: Buffer) => {
    wireBytes += chunk.length;
    if (wireBytes > limitBytes) decompressor.destroy(tooLarge());
  };
  // A client that disconnects mid-body ends the request, not the decompressor piped from it.
  const abandon = () => {
    if (!req.complete) decompressor.destroy(new Error('request aborted'));
  };
  req.on('data', countWireBytes);
  req.once('close', abandon);
  req.pipe(decompressor);
  try {
    return await collect(decompressor, limitBytes, inspect, ErrorMessages.malformedCompressedBody);
  } finally {
    req.off('data', countWireBytes);
    req.off('close', abandon);
    req.unpipe(decompressor);
    decompressor.destroy();
  }
}

/**
 * Gathers a stream's bytes, up to `limitBytes`, handing each chunk to `inspect` first. Settles
 * at the first problem — too many bytes, a chunk `inspect` refuses, a stream error, the client
 * gone — and stops reading there: what is still on its way is never read. Stream errors (the
 * decompressor's, a reset connection) become `streamFailure`, never their own text.
 */
function collect(
  stream: Readable,
  limitBytes: number,
  inspect: Inspect,
  streamFailure: string,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const settle = (error?: unknown) => {
      if (settled) return;
      settled = true;
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
      if (error === undefined) {
        // A small body is usually one chunk: no copy.
        resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received));
        return;
      }
      stream.pause();
      reject(error instanceof HttpException ? error : new BadRequestException(streamFailure));
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limitBytes) return settle(tooLarge());
      try {
        inspect(chunk);
      } catch (error) {
        return settle(error);
      }
      chunks.push(chunk);
    };
    const onEnd = () => settle();
    const onError = (error: unknown) => settle(error ?? new Error('stream error'));
    // 'close' before 'end': the client went away mid-body.
    const onClose = () => settle(new Error('request aborted'));
    // `on`, not `once`: settle() removes all four at the first of them, and once() would wrap each.
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

function tooLarge(): PayloadTooLargeException {
  return new PayloadTooLargeException(ErrorMessages.payloadTooLarge);
}
