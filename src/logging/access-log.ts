import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type Level, type Logger } from 'pino';
import { errorReasonOf } from '../common/error-envelope';
import { type ClientErrorAnswer, wasAnsweredOnSocket } from '../common/http/client-error';
import type { Exchange } from '../common/http/exchange';
import { wasCutAtShutdown } from '../common/http/pre-routing-server';
import { traceIdOf } from '../common/http/trace-context';
import { isoNow } from '../common/iso-time';
import { shorten } from '../common/shorten';
import { AccessLogMode, AppConfig, appConfig } from '../config/app.config';
import { decisionOf } from '../cors/cors-http';
import { quote, QUOTED_VALUE_LIMIT as QUOTED_PATH_LIMIT } from '../common/quote';
import { FdLineWriter, PLAIN_JSON } from './fd-line-writer';
import { jsonLineSink, ROOT_LOGGER } from './root-logger';

/**
 * Client-chosen values (path, origin, user agent, an error message quoting them) are cut to this
 * many characters: a line stays well under the 16 KB at which Docker's log driver splits it.
 */
export const LOG_VALUE_LIMIT = 200;

type AccessLevel = Extract<Level, 'error' | 'warn' | 'info' | 'debug'>;
const ACCESS_LEVELS: readonly AccessLevel[] = ['error', 'warn', 'info', 'debug'];

/** A health probe: logged at debug, so probes do not drown the info-level log. */
function isHealthPath(path: string): boolean {
  return path.startsWith('/health') && (path.length === 7 || path.charCodeAt(7) === 47);
}

/** Where an access line's pieces go: the FdLineWriter's buffer, or a string (StringLine). */
interface LineOut {
  /** Trusted ASCII text: keys, fixed values, ids. */
  raw(text: string): void;
  /** A value the client chose (or a message quoting one), as a JSON string literal. */
  str(value: string): void;
  /** A non-negative integer. */
  int(value: number): void;
  /** Part of a JSON string literal whose quotes are written with raw(): the escaped characters. */
  part(value: string): void;
}

/** The line as one string: for a sink that takes strings, and pretty development logs. */
class StringLine implements LineOut {
  text = '';
  raw(text: string): void {
    this.text += text;
  }
  str(value: string): void {
    this.text += JSON.stringify(value);
  }
  int(value: number): void {
    this.text += String(value);
  }
  part(value: string): void {
    this.text += JSON.stringify(value).slice(1, -1);
  }
}

/** What one access line says, gathered before it is written. */
class AccessLine {
  prefix = '';
  exchange: Exchange | undefined = undefined;
  traceId: string | undefined = undefined;
  method = '';
  path = '';
  client: string | undefined = undefined;
  completed = false;
  cut = false;
  status = 0;
  bytes = NaN;
  reason: string | undefined = undefined;
  cors: string | undefined = undefined;
  origin: string | undefined = undefined;
  userAgent: string | undefined = undefined;
  msg = '';
  /** A refusal's reason: the message is then `CORS refused <method> <quoted path>: <reason>`. */
  refusalReason: string | undefined = undefined;
  refusedPath = '';
}

/** `key` (`,"name":`) and the value as a JSON string, when there is a value. */
function stringField(out: LineOut, key: string, value: string | undefined): void {
  if (value === undefined) return;
  out.raw(key);
  out.str(value);
}

/** Bytes of an access line besides the service fields and the client's values: keys, numbers. */
const FIXED_PART_BYTES = 1024;

/**
 * One JSON line per response: request id, the W3C trace id when the caller sent a valid
 * `traceparent`, method, path (no query), status, duration, response size, the `error` message of
 * a 4xx/5xx as `reason`, and for a CORS refusal its fixed code as `cors` with the reason in `msg`
 * (the one line a refusal writes, at warn), `lingered` (the request bytes discarded while the
 * connection closed in stages: such a line is written once the connection has closed), then
 * origin and user agent. Cookies, credentials and
 * bodies are never logged. Health probes log at debug; 5xx at error. `ACCESS_LOG=errors` keeps the
 * lines of 4xx, 5xx, aborted and refused requests only; `off` writes none.
 *
 * Built as a string with a fixed key order, the same bytes pino writes for the same fields
 * (access-log.spec compares them), and appended to pino's own destination: pino's object
 * serialisation, time function and per-line objects cost ~20 µs a request. In development, where
 * the root logger prints pretty lines, the line goes through pino instead.
 */
@Injectable()
export class AccessLog {
  private readonly mode: AccessLogMode;
  private readonly sink: { write(line: string): unknown } | undefined;
  /** The sink when it is the process's FdLineWriter: lines are then written into its buffer. */
  private readonly writer: FdLineWriter | undefined;
  private readonly line = new AccessLine();
  /** `{"level":"<level>","time":"` per level, and `","service":…,"hostname":…` after the time. */
  private readonly levelPrefix: Readonly<Record<AccessLevel, string>>;
  private readonly enabled: Readonly<Record<AccessLevel, boolean>>;
  private readonly afterTime: string;

  constructor(
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    @Inject(appConfig.KEY) config: Pick<AppConfig, 'accessLog'>,
  ) {
    this.mode = config.accessLog;
    this.sink = jsonLineSink(logger);
    this.writer = this.sink instanceof FdLineWriter ? this.sink : undefined;
    // pino's serialised base fields (`,"service":…,"hostname":…`), exactly as it writes them.
    const chindings = (logger as unknown as Record<symbol, unknown>)[pino.symbols.chindingsSym];
    this.afterTime = `"${typeof chindings === 'string' ? chindings : ''}`;
    const prefix = {} as Record<AccessLevel, string>;
    const enabled = {} as Record<AccessLevel, boolean>;
    for (const level of ACCESS_LEVELS) {
      prefix[level] = `{"level":"${level}","time":"`;
      enabled[level] = logger.isLevelEnabled(level);
    }
    this.levelPrefix = prefix;
    this.enabled = enabled;
  }

  /**
   * Logs the response once its connection is done with it: called on 'close', which also fires
   * for requests the client aborted or a shutdown cut, which 'finish' would miss.
   */
  write(req: IncomingMessage, res: ServerResponse, exchange: Exchange): void {
    if (this.mode === 'off') return;
    // A response never completed has no status the client saw: it is logged as aborted, with no
    // status (unless an answer was written on the socket itself, like a 408).
    const completed = res.writableFinished || wasAnsweredOnSocket(res);
    const status = res.statusCode;
    const decision = decisionOf(req);
    const refusal = decision !== undefined && decision.kind === 'refused' ? decision : undefined;
    if (this.mode === 'errors' && completed && status < 400 && refusal === undefined) return;
    // A target with no usable path was refused with a 400; it is not logged raw.
    const path = exchange.path === undefined ? '?' : shorten(exchange.path, LOG_VALUE_LIMIT);
    const level: AccessLevel =
      completed && status >= 500
        ? 'error'
        : refusal !== undefined
          ? 'warn'
          : isHealthPath(path)
            ? 'debug'
            : 'info';
    if (!this.enabled[level]) return;

    const method = req.method ?? '?';
    const reason = completed && status >= 400 ? errorReasonOf(res) : undefined;
    const { origin } = req.headers;
    const userAgent = req.headers['user-agent'];
    // A refusal's message, `CORS refused POST "/greet": <reason>`, is written in parts.
    const msg = refusal !== undefined ? '' : completed ? 'request completed' : 'request aborted';
    // One scratch object, filled per line (write() never runs re-entrantly): nothing allocated.
    const line = this.line;
    line.prefix = this.levelPrefix[level];
    line.exchange = exchange;
    line.traceId = traceIdOf(req);
    line.method = method;
    line.path = path;
    // An IP address Node or clientAddress() validated: nothing to escape.
    line.client = exchange.client ?? req.socket?.remoteAddress;
    line.completed = completed;
    line.cut = !completed && wasCutAtShutdown(res);
    line.status = status;
    line.bytes = completed
      ? (exchange.bytes ?? Number(res.getHeader('content-length') ?? NaN))
      : NaN;
    line.reason = reason === undefined ? undefined : shorten(reason, LOG_VALUE_LIMIT);
    line.cors = refusal?.code;
    line.origin = origin === undefined ? undefined : shorten(origin, LOG_VALUE_LIMIT);
    line.userAgent = userAgent === undefined ? undefined : shorten(userAgent, LOG_VALUE_LIMIT);
    line.msg = msg;
    line.refusalReason = refusal?.reason;
    line.refusedPath = exchange.path ?? '?';
    // Straight into the log writer's buffer: no string of the whole line (docs/performance.md).
    const writer = this.writer;
    if (writer !== undefined && writer.begin(this.maxBytes(line))) {
      this.fields(writer, line);
      return;
    }
    const text = new StringLine();
    this.fields(text, line);
    if (this.sink !== undefined) {
      this.sink.write(text.text);
      return;
    }
    // Pretty development logs: the same fields, through pino.
    const { msg: message, ...fields } = JSON.parse(text.text) as Record<string, unknown>;
    for (const key of ['level', 'time', 'service', 'version', 'pid', 'hostname'])
      delete fields[key];
    this.logger[level](fields, String(message));
  }

  /** An upper bound of the line's UTF-8 bytes: escaping takes at most 6 bytes a character. */
  private maxBytes(line: AccessLine): number {
    let values = line.path.length + line.msg.length + 64;
    // Trusted but counted all the same: a bound that left one out could overrun the buffer.
    values += line.method.length + (line.exchange as Exchange).id.length;
    if (line.client !== undefined) values += line.client.length;
    if (line.traceId !== undefined) values += line.traceId.length;
    if (line.refusalReason !== undefined) {
      values += line.refusalReason.length + 2 * line.refusedPath.length;
    }
    if (line.reason !== undefined) values += line.reason.length;
    if (line.origin !== undefined) values += line.origin.length;
    if (line.userAgent !== undefined) values += line.userAgent.length;
    return 6 * values + line.prefix.length + this.afterTime.length + FIXED_PART_BYTES;
  }

  /** The line's fields in their fixed order, the same bytes pino writes for them. */
  private fields(out: LineOut, line: AccessLine): void {
    const exchange = line.exchange as Exchange;
    out.raw(line.prefix);
    out.raw(isoNow());
    out.raw(this.afterTime);
    // The id is well-formed ([A-Za-z0-9._:-]) or a UUID, the trace id hex, the method one of
    // llhttp's fixed tokens: none needs escaping.
    out.raw(',"reqId":"');
    out.raw(exchange.id);
    if (line.traceId !== undefined) {
      out.raw('","traceId":"');
      out.raw(line.traceId);
    }
    out.raw('","method":"');
    out.raw(line.method);
    out.raw('","path":');
    out.str(line.path);
    if (line.client !== undefined && line.client !== '') {
      out.raw(',"client":"');
      out.raw(line.client);
      out.raw('"');
    }
    if (line.completed) {
      out.raw(',"status":');
      out.int(line.status);
    } else out.raw(line.cut ? ',"aborted":true,"cut":true' : ',"aborted":true');
    const end = exchange.end ?? performance.now();
    // Tenths of a millisecond, printed as `${Math.round(ms * 10) / 10}` prints them.
    const tenths = Math.round((end - exchange.start) * 10);
    out.raw(',"ms":');
    out.int((tenths - (tenths % 10)) / 10);
    if (tenths % 10 !== 0) {
      out.raw('.');
      out.int(tenths % 10);
    }
    if (line.completed) {
      const { bytes, status } = line;
      if (Number.isSafeInteger(bytes) && bytes >= 0) {
        out.raw(',"bytes":');
        out.int(bytes);
      } else if (Number.isFinite(bytes)) out.raw(`,"bytes":${bytes}`);
      else if (status === 204 || status === 304) out.raw(',"bytes":0');
      stringField(out, ',"reason":', line.reason);
    }
    if (line.cors !== undefined) {
      out.raw(',"cors":"');
      out.raw(line.cors);
      out.raw('"');
    }
    if (exchange.lingered !== undefined) {
      out.raw(',"lingered":');
      out.int(exchange.lingered);
    }
    stringField(out, ',"origin":', line.origin);
    stringField(out, ',"userAgent":', line.userAgent);
    out.raw(',"msg":');
    if (line.refusalReason === undefined) out.str(line.msg);
    else {
      // `"CORS refused ${method} ${quote(path)}: ${reason}"` as JSON, without building it.
      out.raw('"CORS refused ');
      out.raw(line.method);
      out.raw(' ');
      const shown = shorten(line.refusedPath, QUOTED_PATH_LIMIT);
      if (shown === line.refusedPath && PLAIN_JSON.test(shown)) {
        out.raw('\\"');
        out.raw(shown);
        out.raw('\\"');
      } else out.part(quote(line.refusedPath));
      out.raw(': ');
      out.part(line.refusalReason);
      out.raw('"');
    }
    out.raw('}\n');
  }

  /** The line for an answer Node's HTTP parser provoked (no Host, headers too large, a timeout). */
  clientError({ status, code, requestId, lingered }: ClientErrorAnswer): void {
    if (this.mode === 'off') return;
    const fields = {
      reqId: requestId,
      status,
      code,
      ...(lingered === undefined ? {} : { lingered }),
    };
    this.logger.info(
      fields,
      code === 'CONNECT' ? 'CONNECT refused: not a proxy' : 'request refused by the HTTP parser',
    );
  }
}
