import { INestApplication, Injectable, Module } from '@nestjs/common';
import { StrictCorsModule } from '../src/strict-cors.module';
import type { CorsDecisionEvent, StrictCorsMode } from '../src/options';
import { calls, PLATFORMS, send, startApp } from './http';

const APP = 'https://app.example.com';
const JSON_TYPE = { 'Content-Type': 'application/json' };

/** Origins a careless matcher lets through; each must be refused, byte for byte. */
const LOOKALIKES = [
  'https://APP.example.com',
  'https://app.example.com:443',
  'https://app.example.com/',
  'http://app.example.com',
  'https://app.example.com.evil.com',
  'https://evilapp.example.com',
  'https://app.example.co',
  'null',
  `${APP}, ${APP}`,
];

describe.each(PLATFORMS)('nest-strict-cors on %s', (platform) => {
  describe.each<StrictCorsMode>(['middleware', 'before-routing'])('mode %s', (mode) => {
    let app: INestApplication;
    let port: number;
    const events: CorsDecisionEvent[] = [];

    beforeAll(async () => {
      ({ app, port } = await startApp(
        platform,
        StrictCorsModule.forRoot({
          origins: [APP, 'https://*.preview.example.com'],
          mode,
          onDecision: (event) => events.push(event),
        }),
      ));
    });
    afterAll(() => app.close());
    beforeEach(() => {
      events.length = 0;
      for (const key of Object.keys(calls) as Array<keyof typeof calls>) calls[key] = 0;
    });

    it('answers an allowed preflight with 204 and the policy, never reaching a handler', async () => {
      const answer = await send(port, 'OPTIONS', '/greet', {
        Origin: APP,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      });
      expect(answer.status).toBe(204);
      expect(answer.headers['access-control-allow-origin']).toBe(APP);
      expect(answer.headers['access-control-allow-methods']).toBe('GET, HEAD, POST');
      expect(answer.headers['access-control-allow-headers']).toBe('content-type');
      expect(answer.headers['access-control-max-age']).toBe('600');
      expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
      expect(answer.headers.vary).toBe(
        'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
      );
      expect(answer.body).toBe('');
      expect(calls.greet).toBe(0);
    });

    it('refuses a preflight for a method or a header the policy does not allow, saying which', async () => {
      const method = await send(port, 'OPTIONS', '/greet', {
        Origin: APP,
        'Access-Control-Request-Method': 'DELETE',
      });
      expect(method.status).toBe(403);
      expect(JSON.parse(method.body)).toEqual({
        statusCode: 403,
        message: 'Method not allowed by CORS policy',
        error: 'Forbidden',
      });
      const header = await send(port, 'OPTIONS', '/greet', {
        Origin: APP,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type, x-secret',
      });
      expect(header.status).toBe(403);
      expect(header.headers['access-control-allow-origin']).toBeUndefined();
      expect(JSON.parse(header.body).message).toBe('Request header not allowed by CORS policy');
    });

    it.each(LOOKALIKES)(
      'refuses %j before the handler runs, with 403 JSON and Vary',
      async (origin) => {
        const answer = await send(
          port,
          'POST',
          '/greet',
          { Origin: origin, ...JSON_TYPE },
          '{"name":"x"}',
        );
        expect(answer.status).toBe(403);
        expect(answer.headers['content-type']).toMatch(/^application\/json/);
        expect(JSON.parse(answer.body)).toEqual({
          statusCode: 403,
          message: 'Origin not allowed',
          error: 'Forbidden',
        });
        expect(answer.headers['access-control-allow-origin']).toBeUndefined();
        expect(answer.headers.vary).toBe('Origin');
        expect(calls.greet).toBe(0);
        const preflight = await send(port, 'OPTIONS', '/greet', {
          Origin: origin,
          'Access-Control-Request-Method': 'POST',
        });
        expect(preflight.status).toBe(403);
        expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      },
    );

    it('allows one-label pattern matches only', async () => {
      const allowed = await send(port, 'GET', '/fail', {
        Origin: 'https://pr-7.preview.example.com',
      });
      expect(allowed.headers['access-control-allow-origin']).toBe(
        'https://pr-7.preview.example.com',
      );
      for (const origin of [
        'https://preview.example.com',
        'https://a.b.preview.example.com',
        'https://pr-7.preview.example.com.evil.com',
      ]) {
        expect((await send(port, 'GET', '/fail', { Origin: origin })).status).toBe(403);
      }
    });

    it('lets a request without Origin through with no CORS headers but Vary', async () => {
      const answer = await send(port, 'POST', '/greet', JSON_TYPE, '{"name":"Ada"}');
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ greeting: 'Hello, Ada!' });
      expect(answer.headers['access-control-allow-origin']).toBeUndefined();
      expect(answer.headers.vary).toBe('Origin');
      expect(calls.greet).toBe(1);
    });

    it("puts the CORS headers and Vary on a handler's 200 and on its thrown 400", async () => {
      const ok = await send(
        port,
        'POST',
        '/greet',
        { Origin: APP, ...JSON_TYPE },
        '{"name":"Ada"}',
      );
      expect(ok.status).toBe(200);
      expect(ok.headers['access-control-allow-origin']).toBe(APP);
      expect(ok.headers.vary).toBe('Origin');
      const bad = await send(port, 'POST', '/greet', { Origin: APP, ...JSON_TYPE }, '{"name":7}');
      expect(bad.status).toBe(400);
      expect(bad.headers['access-control-allow-origin']).toBe(APP);
      expect(bad.headers.vary).toBe('Origin');
      const thrown = await send(port, 'GET', '/fail', { Origin: APP });
      expect(thrown.status).toBe(400);
      expect(thrown.headers['access-control-allow-origin']).toBe(APP);
    });

    it('answers `*` without credentials on a public @CorsPolicy route, to any origin', async () => {
      const answer = await send(port, 'GET', '/languages', { Origin: 'https://anyone.example' });
      expect(answer.status).toBe(200);
      expect(answer.headers['access-control-allow-origin']).toBe('*');
      expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
      // `*` is the same for everyone: no Vary: Origin needed, and none without Origin either.
      const plain = await send(port, 'GET', '/languages');
      expect(plain.headers['access-control-allow-origin']).toBe('*');
      const preflight = await send(port, 'OPTIONS', '/languages', {
        Origin: 'https://anyone.example',
        'Access-Control-Request-Method': 'GET',
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('*');
    });

    it('applies a route policy with credentials to its preflights and its answers', async () => {
      const admin = 'https://admin.example.com';
      const preflight = await send(port, 'OPTIONS', '/admin', {
        Origin: admin,
        'Access-Control-Request-Method': 'POST',
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe(admin);
      expect(preflight.headers['access-control-allow-credentials']).toBe('true');
      expect(preflight.headers['access-control-allow-methods']).toBe('POST');
      const answer = await send(port, 'POST', '/admin', { Origin: admin });
      expect(answer.status).toBe(200);
      expect(answer.headers['access-control-allow-credentials']).toBe('true');
      // The module's origin is not the route's.
      expect((await send(port, 'POST', '/admin', { Origin: APP })).status).toBe(403);
      expect(calls.admin).toBe(1);
    });

    it('reports each decision to onDecision with origin, route and reason', async () => {
      await send(port, 'POST', '/admin', { Origin: 'https://evil.example' });
      expect(events).toHaveLength(1);
      const [event] = events;
      expect(event.stage).toBe(mode);
      expect(event.origin).toBe('https://evil.example');
      expect(event.route).toBe('/admin');
      expect(event.preflight).toBe(false);
      expect(event.decision).toMatchObject({
        kind: 'refused',
        code: 'origin_not_allowed',
        reason: 'origin "https://evil.example" not allowed',
      });
    });

    if (mode === 'before-routing') {
      it('refuses a disallowed origin before the body is parsed: malformed JSON gets the 403', async () => {
        const answer = await send(
          port,
          'POST',
          '/greet',
          { Origin: 'https://evil.example', ...JSON_TYPE },
          '{"name":',
        );
        expect(answer.status).toBe(403);
      });

      it("puts the CORS headers on the platform's own 404 and on its body parser's 400", async () => {
        const missing = await send(port, 'GET', '/nowhere', { Origin: APP });
        expect(missing.status).toBe(404);
        expect(missing.headers['access-control-allow-origin']).toBe(APP);
        const malformed = await send(
          port,
          'POST',
          '/greet',
          { Origin: APP, ...JSON_TYPE },
          '{"name":',
        );
        expect(malformed.status).toBe(400);
        expect(malformed.headers['access-control-allow-origin']).toBe(APP);
        expect(calls.greet).toBe(0);
      });
    }
  });

  describe('before routing, beyond the handlers', () => {
    it("answers the platform's 413 for an oversized body with the CORS headers", async () => {
      const { app, port } = await startApp(
        platform,
        StrictCorsModule.forRoot({ origins: [APP], mode: 'before-routing' }),
      );
      try {
        // Over Express's default 100 KB and Fastify's default 1 MiB.
        const big = JSON.stringify({
          name: 'x'.repeat(platform === 'express' ? 200_000 : 1_100_000),
        });
        const answer = await send(port, 'POST', '/greet', { Origin: APP, ...JSON_TYPE }, big);
        expect(answer.status).toBe(413);
        expect(answer.headers['access-control-allow-origin']).toBe(APP);
        expect(answer.headers.vary).toBe('Origin');
      } finally {
        await app.close();
      }
    });

    it('a throwing onDecision is logged and the request still answered, the process alive', async () => {
      const { app, port } = await startApp(
        platform,
        StrictCorsModule.forRoot({
          origins: [APP],
          mode: 'before-routing',
          onDecision: () => {
            throw new Error('hook failed');
          },
        }),
      );
      try {
        const preflight = await send(port, 'OPTIONS', '/greet', {
          Origin: APP,
          'Access-Control-Request-Method': 'POST',
        });
        expect(preflight.status).toBe(204);
        expect((await send(port, 'GET', '/fail', { Origin: 'https://evil.example' })).status).toBe(
          403,
        );
      } finally {
        await app.close();
      }
    });
  });

  describe('a global prefix', () => {
    it.each<StrictCorsMode>(['middleware', 'before-routing'])(
      '%s: route policies are found under it, and excluded routes without it',
      async (mode) => {
        const { app, port } = await startApp(
          platform,
          StrictCorsModule.forRoot({ origins: [APP], mode }),
          (nest) => nest.setGlobalPrefix('api', { exclude: ['fail'] }),
        );
        try {
          const pub = await send(port, 'OPTIONS', '/api/languages', {
            Origin: 'https://anyone.example',
            'Access-Control-Request-Method': 'GET',
          });
          expect(pub.status).toBe(204);
          expect(pub.headers['access-control-allow-origin']).toBe('*');
          const admin = await send(port, 'OPTIONS', '/api/admin', {
            Origin: 'https://admin.example.com',
            'Access-Control-Request-Method': 'POST',
          });
          expect(admin.status).toBe(204);
          expect(admin.headers['access-control-allow-credentials']).toBe('true');
          const excluded = await send(port, 'GET', '/fail', { Origin: APP });
          expect(excluded.status).toBe(400);
          expect(excluded.headers['access-control-allow-origin']).toBe(APP);
          const file = await send(port, 'GET', '/api/files/a.txt', { Origin: APP });
          expect(file.status).toBe(200);
          expect(file.headers['access-control-allow-origin']).toBe(APP);
        } finally {
          await app.close();
        }
      },
    );
  });

  describe('forRootAsync', () => {
    @Injectable()
    class Settings {
      readonly origins = ['https://async.example.com'];
    }
    @Module({ providers: [Settings], exports: [Settings] })
    class SettingsModule {}

    it('takes its options from a factory with injected providers', async () => {
      const { app, port } = await startApp(
        platform,
        StrictCorsModule.forRootAsync({
          imports: [SettingsModule],
          inject: [Settings],
          useFactory: (settings: Settings) => ({ origins: settings.origins, maxAge: 30 }),
        }),
      );
      try {
        const preflight = await send(port, 'OPTIONS', '/greet', {
          Origin: 'https://async.example.com',
          'Access-Control-Request-Method': 'POST',
        });
        expect(preflight.status).toBe(204);
        expect(preflight.headers['access-control-max-age']).toBe('30');
        expect((await send(port, 'GET', '/fail', { Origin: APP })).status).toBe(403);
      } finally {
        await app.close();
      }
    });
  });

  describe('bad options stop bootstrap, naming the field and the value', () => {
    it.each([
      [
        { origins: ['https://app.example.com/path'] },
        'origins: "https://app.example.com/path" must not contain a path',
      ],
      [
        { origins: ['app.example.com'] },
        'origins: "app.example.com" must be an origin like "https://app.example.com"',
      ],
      [
        { origins: ['https://*.com'] },
        'origins: "https://*.com" would match every site under the public suffix "com"',
      ],
      [{ origins: ['null'] }, 'origins: "null" is never allowed'],
      [
        { origins: '*', credentials: true },
        'origins: "*" cannot be combined with credentials=true',
      ],
      [{ origins: [APP], maxAge: -1 }, 'maxAge must be an integer 0-86400, got -1'],
      [
        { origins: 'https://app.example.com' },
        'origins: must be "*" or an array of origin strings, got "https://app.example.com"',
      ],
      [{ origin: [APP] }, '"origin" is not an option: did you mean "origins"?'],
    ])('forRoot(%j)', async (options, message) => {
      const module = StrictCorsModule.forRoot(options as never);
      await expect(startApp(platform, module)).rejects.toThrow(message);
    });

    it('forRootAsync: the factory result is checked the same way', async () => {
      const module = StrictCorsModule.forRootAsync({
        useFactory: () => ({ origins: ['https://app.example.com:443'] }),
      });
      await expect(startApp(platform, module)).rejects.toThrow(
        'origins: "https://app.example.com:443" must not name the default port :443',
      );
    });
  });
});
