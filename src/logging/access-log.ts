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
import { quote } from '../cors/cors-policy';
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

/** JSON string literal of a value the client chose (escaped) or the service wrote (trusted). */
const json = JSON.stringify;

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
    let line = this.levelPrefix[level] + isoNow() + this.afterTime;
    // The id is well-formed ([A-Za-z0-9._:-]) or a UUID, the trace id hex, the method one of
    // llhttp's fixed tokens: none needs escaping.
    line += `,"reqId":"${exchange.id}"`;
    const traceId = traceIdOf(req);
    if (traceId !== undefined) line += `,"traceId":"${traceId}"`;
    line += `,"method":"${method}","path":${json(path)}`;
    // An IP address Node or clientAddress() validated: nothing to escape.
    const client = exchange.client ?? req.socket?.remoteAddress;
    if (client !== undefined && client !== '') line += `,"client":"${client}"`;
    if (completed) line += `,"status":${status}`;
    else line += wasCutAtShutdown(res) ? ',"aborted":true,"cut":true' : ',"aborted":true';
    const end = exchange.end ?? performance.now();
    line += `,"ms":${Math.round((end - exchange.start) * 10) / 10}`;
    if (completed) {
      const bytes = exchange.bytes ?? Number(res.getHeader('content-length') ?? NaN);
      if (Number.isFinite(bytes)) line += `,"bytes":${bytes}`;
      else if (status === 204 || status === 304) line += ',"bytes":0';
      if (status >= 400) {
        const reason = errorReasonOf(res);
        if (reason !== undefined) line += `,"reason":${json(shorten(reason, LOG_VALUE_LIMIT))}`;
      }
    }
    if (refusal !== undefined) line += `,"cors":"${refusal.code}"`;
    if (exchange.lingered !== undefined) line += `,"lingered":${exchange.lingered}`;
    const { origin } = req.headers;
    if (origin !== undefined) line += `,"origin":${json(shorten(origin, LOG_VALUE_LIMIT))}`;
    const userAgent = req.headers['user-agent'];
    if (userAgent !== undefined) {
      line += `,"userAgent":${json(shorten(userAgent, LOG_VALUE_LIMIT))}`;
    }
    const msg =
      refusal !== undefined
        ? `CORS refused ${method} ${quote(exchange.path ?? '?')}: ${refusal.reason}`
        : completed
          ? 'request completed'
          : 'request aborted';
    line += `,"msg":${json(msg)}}\n`;
    if (this.sink !== undefined) {
      this.sink.write(line);
      return;
    }
    // Pretty development logs: the same fields, through pino.
    const { msg: text, ...fields } = JSON.parse(line) as Record<string, unknown>;
    for (const key of ['level', 'time', 'service', 'version', 'pid', 'hostname'])
      delete fields[key];
    this.logger[level](fields, String(text));
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
