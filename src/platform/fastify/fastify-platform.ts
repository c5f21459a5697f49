import { INestApplication } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { hasJsonBody, readJsonBody } from '../../common/body/json-body.reader';
import { PlatformHandler, PreRoutingServer } from '../../common/http/pre-routing-server';
import type { HttpPlatform, PlatformSetup } from '../http-platform';

/** Fastify on the pre-routing server (its `serverFactory`): Fastify only sees what passed. */
class PreRoutingFastifyAdapter extends FastifyAdapter {
  constructor(private readonly preRouting: PreRoutingServer) {
    super({
      serverFactory: (handler: PlatformHandler) => preRouting.create(handler),
      // Routed like Express and like the CORS route table: case-insensitive, one trailing slash
      // ignored.
      routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
      // The JSON body reader enforces BODY_LIMIT itself (declared and chunked, before and after
      // decompression), with the contract's messages.
      bodyLimit: Number.MAX_SAFE_INTEGER,
      // Parser errors are answered by the shared server (answerClientErrors: the envelope, the
      // request id); Fastify's default would also write its own bare 400 on the socket.
      clientErrorHandler: () => undefined,
    });
  }

  override close(): Promise<void> {
    return this.preRouting.drain(async () => {
      await super.close();
    });
  }
}

export const fastifyPlatform: HttpPlatform = {
  name: 'fastify',
  createAdapter(preRouting) {
    return { adapter: new PreRoutingFastifyAdapter(preRouting), options: { bodyParser: false } };
  },
  configure(app: INestApplication, { limits }: PlatformSetup) {
    const fastify = (app as NestFastifyApplication).getHttpAdapter().getInstance();
    fastify.removeAllContentTypeParsers();
    // One parser for every type: JSON is read by the same reader as on Express; any other body is
    // left unread (routes that need JSON answer 415 through RequireJsonGuard).
    fastify.addContentTypeParser('*', (request, _payload, done) => {
      const req = request.raw;
      if (!hasJsonBody(req)) {
        done(null, undefined);
        return;
      }
      readJsonBody(req, limits).then(
        (body) => done(null, body),
        (error: Error) => {
          // The client went away mid-body: nobody is left to answer.
          if (req.socket.destroyed) return;
          done(error, undefined);
        },
      );
    });
  },
};
