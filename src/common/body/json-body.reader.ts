import {
  BadRequestException,
  HttpException,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { parse as parseContentType } from 'content-type';
import type { IncomingMessage } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import zlib from 'node:zlib';
import getRawBody from 'raw-body';
import typeis from 'type-is';
import { ErrorMessages } from '../error-messages';
import { findJsonShapeProblem, JsonShapeLimits } from './json-shape';

export interface JsonBodyLimits extends JsonShapeLimits {
  /** Most bytes read, on the wire and after decompression alike. */
  readonly limitBytes: number;
}

/**
 * Whether the request has a body declared as JSON. Bodies of other types are not read here:
 * routes that need JSON refuse them with 415.
 */
export function hasJsonBody(req: IncomingMessage): boolean {
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
 * - the depth and element count are checked by one scan of the raw text before JSON.parse;
 * - on any error it stops reading and throws at once, instead of draining the rest of the body
 *   the way body-parser does (the caller's response then closes the connection).
 * Errors are HttpExceptions with the contract's fixed messages; no library text reaches a client.
 *
 * Call it only when `hasJsonBody(req)`. An empty body reads as `undefined`.
 */
export async function readJsonBody(req: IncomingMessage, limits: JsonBodyLimits): Promise<unknown> {
  assertUtf8(req.headers['content-type']);
  const raw = await readRaw(req, limits.limitBytes);
  const problem = findJsonShapeProblem(raw, limits);
  if (problem === 'tooDeep') throw new BadRequestException(ErrorMessages.bodyTooDeep);
  if (problem === 'tooManyElements') {
    throw new BadRequestException(ErrorMessages.bodyTooManyElements);
  }
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
  const charset = parseContentType(contentType ?? '').parameters.charset?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new UnsupportedMediaTypeException(ErrorMessages.unsupportedCharset);
  }
}

async function readRaw(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity') {
    // raw-body refuses a declared length over the limit before reading, and a body that
    // crosses it as soon as it does.
    return read(req, { length: req.headers['content-length'], limit: limitBytes });
  }
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
    return await read(decompressor, { limit: limitBytes }, ErrorMessages.malformedCompressedBody);
  } finally {
    req.off('data', countWireBytes);
    req.off('close', abandon);
    req.unpipe(decompressor);
    decompressor.destroy();
  }
}

async function read(
  stream: Readable,
  options: { length?: string; limit: number },
  streamFailure: string = ErrorMessages.badRequest,
): Promise<Buffer> {
  try {
    return await getRawBody(stream, options);
  } catch (error) {
    if (error instanceof HttpException) throw error;
    if (typeOf(error) === 'entity.too.large') throw tooLarge();
    // Anything else is the client's doing: a length that does not match, an aborted upload, or
    // bytes that do not decompress. The library's own wording stays on the server.
    throw new BadRequestException(hasType(error) ? ErrorMessages.badRequest : streamFailure);
  }
}

function tooLarge(): PayloadTooLargeException {
  return new PayloadTooLargeException(ErrorMessages.payloadTooLarge);
}

/** raw-body's own errors (http-errors) carry a `type`; stream errors (zlib's) do not. */
function typeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null
    ? (error as { type?: unknown }).type
    : undefined;
}

function hasType(error: unknown): boolean {
  return typeof typeOf(error) === 'string';
}
