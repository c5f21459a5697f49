import {
  BadRequestException,
  Body,
  Controller,
  DynamicModule,
  Get,
  HttpCode,
  INestApplication,
  Module,
  Post,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CorsPolicy } from '../src/cors-policy.decorator';

export type Platform = 'express' | 'fastify';
export const PLATFORMS: readonly Platform[] = ['express', 'fastify'];

export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** One request over a real socket; headers exactly as given (Origin included). */
export function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method, path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** How many times each handler ran: a refused request must leave these alone. */
export const calls = { greet: 0, fail: 0, languages: 0, admin: 0 };

@Controller()
export class DemoController {
  @Post('greet')
  @HttpCode(200)
  greet(@Body() body: unknown): { greeting: string } {
    calls.greet++;
    const name = (body as { name?: unknown } | undefined)?.name;
    if (typeof name !== 'string') throw new BadRequestException('name must be a string');
    return { greeting: `Hello, ${name}!` };
  }

  /** A legacy wildcard, which Nest converts itself: the package must not stop bootstrap over it. */
  @Get('files/*')
  file(): { file: true } {
    return { file: true };
  }

  @Get('fail')
  fail(): never {
    calls.fail++;
    throw new BadRequestException('always');
  }

  /** Public reference data: any origin, no credentials, whatever the module says. */
  @CorsPolicy({ origins: '*' })
  @Get('languages')
  languages(): string[] {
    calls.languages++;
    return ['en', 'fr'];
  }

  /** One front end only, with cookies. */
  @CorsPolicy({ origins: ['https://admin.example.com'], credentials: true, methods: ['POST'] })
  @Post('admin')
  @HttpCode(200)
  admin(): { ok: true } {
    calls.admin++;
    return { ok: true };
  }
}

/** A Nest app on a platform, listening on a free loopback port. */
export async function startApp(
  platform: Platform,
  cors: DynamicModule,
  configure?: (app: INestApplication) => void,
): Promise<{ app: INestApplication; port: number }> {
  @Module({ imports: [cors], controllers: [DemoController] })
  class DemoModule {}
  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = await NestFactory.create(DemoModule, adapter, { logger: false, abortOnError: false });
  configure?.(app);
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer() as Server;
  const port = (server.address() as AddressInfo).port;
  return { app, port };
}
