import { INestApplication, NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter, NestExpressApplication } from '@nestjs/platform-express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PreRoutingServer } from '../../common/http/pre-routing-server';
import { jsonBodyMiddleware } from '../../common/middleware/json-body.middleware';
import type { HttpPlatform, PlatformSetup } from '../http-platform';

/** Express on the pre-routing server: Express only sees what pre-routing let through. */
class PreRoutingExpressAdapter extends ExpressAdapter {
  constructor(private readonly preRouting: PreRoutingServer) {
    super();
  }

  override initHttpServer(options: NestApplicationOptions): void {
    if (options.httpsOptions) throw new Error('HTTPS is terminated in front of this service');
    const express = this.getInstance<(req: IncomingMessage, res: ServerResponse) => void>();
    this.setHttpServer(this.preRouting.create(express));
  }

  override close(): Promise<void> {
    return this.preRouting.drain(async () => {
      await super.close();
    });
  }
}

export const expressPlatform: HttpPlatform = {
  name: 'express',
  createAdapter(preRouting) {
    return { adapter: new PreRoutingExpressAdapter(preRouting), options: { bodyParser: false } };
  },
  configure(app: INestApplication, { limits }: PlatformSetup) {
    const express = app as NestExpressApplication;
    // ETags only make sense for cacheable GETs; hashing every POST response costs throughput.
    express.set('etag', false);
    // helmet removes X-Powered-By before routing, but Express would add it back afterwards.
    express.disable('x-powered-by');
    express.use(jsonBodyMiddleware(limits));
  },
};
