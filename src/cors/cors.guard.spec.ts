import { Controller, Delete, ExecutionContext, Get, Logger, Post } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { parseEnv } from '../config/parse-env';
import { CorsConfig, readCorsEnv } from './cors.config';
import { CorsForbiddenException } from './cors-forbidden.exception';
import { CorsGuard } from './cors.guard';
import { CorsPolicy } from './cors-policy.decorator';
import { CorsRouteTable } from './cors-route-table';

@CorsPolicy({ origins: ['https://admin.example.com'] })
@Controller('admin')
class AdminController {
  @Get('stats')
  stats(): void {}

  @CorsPolicy({ origins: '*' })
  @Get('public')
  publicInfo(): void {}
}

@Controller('plain')
class PlainController {
  @Post()
  create(): void {}
}

/** A static and a parametrised route under one path. */
@Controller('items')
class ItemsController {
  @Get('special')
  special(): void {}

  @Delete(':id')
  remove(): void {}
}

function buildTable(controllers: Array<new () => object>, env: Record<string, string> = {}) {
  const config: CorsConfig = parseEnv(env, (reader) => readCorsEnv(reader, 'test'));
  const discovery = {
    getControllers: () => controllers.map((metatype) => ({ metatype })),
  } as unknown as DiscoveryService;
  const table = new CorsRouteTable(config, discovery, new MetadataScanner(), new Reflector());
  table.onModuleInit();
  return table;
}

interface FakeResponse {
  headers: Map<string, string>;
  getHeaderNames(): string[];
  removeHeader(name: string): void;
  setHeader(name: string, value: string): void;
  getHeader(name: string): string | undefined;
}

function context(
  controller: new () => object,
  handler: string,
  headers: Record<string, string>,
  response: FakeResponse = fakeResponse(),
): ExecutionContext {
  const req = {
    method: 'GET',
    url: '/x',
    headers,
  };
  return {
    getType: () => 'http',
    getHandler: () => (controller.prototype as Record<string, () => void>)[handler],
    getClass: () => controller,
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => response }),
  } as unknown as ExecutionContext;
}

function fakeResponse(initial: Record<string, string> = {}): FakeResponse {
  const headers = new Map(Object.entries(initial));
  return {
    headers,
    getHeaderNames: () => [...headers.keys()],
    removeHeader: (name) => headers.delete(name),
    setHeader: (name, value) => headers.set(name.toLowerCase(), value),
    getHeader: (name) => headers.get(name.toLowerCase()),
  };
}

describe('CorsGuard', () => {
  const table = buildTable([AdminController, PlainController]);
  const guard = new CorsGuard(table);
  beforeAll(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  it('lets requests without an Origin through', () => {
    expect(guard.canActivate(context(AdminController, 'stats', {}))).toBe(true);
  });

  it('uses the controller policy over the environment', () => {
    expect(
      guard.canActivate(context(AdminController, 'stats', { origin: 'https://admin.example.com' })),
    ).toBe(true);
    expect(() =>
      guard.canActivate(context(AdminController, 'stats', { origin: 'http://localhost:1234' })),
    ).toThrow(CorsForbiddenException);
  });

  it('uses the route policy over the controller policy', () => {
    expect(
      guard.canActivate(
        context(AdminController, 'publicInfo', { origin: 'https://anyone.example' }),
      ),
    ).toBe(true);
  });

  it('falls back to the environment policy', () => {
    expect(
      guard.canActivate(context(PlainController, 'create', { origin: 'http://localhost:1234' })),
    ).toBe(true);
    expect(() =>
      guard.canActivate(
        context(PlainController, 'create', { origin: 'https://admin.example.com' }),
      ),
    ).toThrow(CorsForbiddenException);
  });

  it('strips Access-Control-* headers written earlier when it refuses', () => {
    const response = fakeResponse({
      'access-control-allow-origin': 'http://localhost:1234',
      vary: 'Origin',
    });
    expect(() =>
      guard.canActivate(
        context(AdminController, 'stats', { origin: 'http://localhost:1234' }, response),
      ),
    ).toThrow(CorsForbiddenException);
    expect(Object.fromEntries(response.headers)).toEqual({ vary: 'Origin' });
  });

  it("replaces another policy's headers when the handler's policy allows too", () => {
    // Decided before routing under a public policy (say the table and the router disagreed): the
    // stale `*` must not stay on a response of the admin-only handler.
    const response = fakeResponse({ 'access-control-allow-origin': '*' });
    expect(guard.canActivate(context(AdminController, 'stats', {}, response))).toBe(true);
    expect(Object.fromEntries(response.headers)).toEqual({ vary: 'Origin' });
  });

  it('ignores non-HTTP contexts', () => {
    const rpc = { getType: () => 'rpc' } as unknown as ExecutionContext;
    expect(guard.canActivate(rpc)).toBe(true);
  });
});

describe('CorsRouteTable', () => {
  const table = buildTable([AdminController, PlainController]);
  const origin = (o: string) => ({ origins: [o] });

  it('gives the Allow header of a known path asked with another method, static and dynamic routes together', () => {
    const items = buildTable([ItemsController, PlainController]);
    expect(items.allowHeaderFor('POST', '/plain')).toBeUndefined();
    expect(items.allowHeaderFor('GET', '/plain')).toBe('POST');
    expect(items.allowHeaderFor('HEAD', '/items/special')).toBeUndefined();
    // Express would route DELETE /items/special to the :id route.
    expect(items.allowHeaderFor('DELETE', '/items/special')).toBeUndefined();
    expect(items.allowHeaderFor('PUT', '/items/special')).toBe('GET, DELETE, HEAD');
    expect(items.allowHeaderFor('GET', '/items/42')).toBe('DELETE');
    expect(items.allowHeaderFor('GET', '/nope')).toBeUndefined();
  });

  it('names the declared route of a path for any method, and nothing for unknown paths', () => {
    const items = buildTable([ItemsController, PlainController]);
    expect(items.templateFor('/plain')).toBe('/plain');
    expect(items.templateFor('/PLAIN/')).toBe('/plain');
    expect(items.templateFor('/items/special')).toBe('/items/special');
    expect(items.templateFor('/items/42')).toBe('/items/:id');
    expect(items.templateFor('/items/%2e%2e')).toBe('/items/:id');
    expect(items.templateFor('/items/42/more')).toBeUndefined();
    expect(items.templateFor('/nope')).toBeUndefined();
  });

  it('says where each setting of a policy came from: route, controller, env or default', () => {
    const described = buildTable([AdminController, PlainController], {
      CORS_ALLOWED_ORIGINS: 'https://app.example.com',
      CORS_MAX_AGE: '600',
    });
    const stats = described.describe(described.forRequest('GET', '/admin/stats'));
    expect(stats.name).toBe('@CorsPolicy on AdminController');
    expect(stats.settings.origins).toEqual({
      value: ['https://admin.example.com'],
      source: 'controller: @CorsPolicy on AdminController',
    });
    expect(stats.settings.maxAge).toEqual({ value: 600, source: 'env: CORS_MAX_AGE' });
    expect(stats.settings.methods.source).toBe('default (CORS_ALLOWED_METHODS unset or blank)');
    const publicInfo = described.describe(described.forRequest('GET', '/admin/public'));
    expect(publicInfo.name).toBe('@CorsPolicy on AdminController.publicInfo');
    expect(publicInfo.settings.origins.source).toBe(
      'route: @CorsPolicy on AdminController.publicInfo',
    );
    expect(publicInfo.settings.credentials).toEqual({
      value: false,
      source: 'route: @CorsPolicy on AdminController.publicInfo (implied by origins "*")',
    });
    const plain = described.describe(described.forRequest('POST', '/plain'));
    expect(plain.name).toBe('environment');
    expect(plain.settings.origins.source).toBe('env: CORS_ALLOWED_ORIGINS');
  });

  it('finds a route policy before routing, like Express: case-insensitive, optional trailing slash', () => {
    for (const url of ['/admin/public', '/ADMIN/Public', '/admin/public/']) {
      expect(table.forRequest('GET', url).isPublic).toBe(true);
    }
    expect(table.forRequest('HEAD', '/admin/public').isPublic).toBe(true);
  });

  it('distinguishes methods and falls back to the environment for unknown routes', () => {
    expect(table.forRequest('POST', '/admin/public')).toBe(table.defaultPolicy);
    expect(table.forRequest('GET', '/nope')).toBe(table.defaultPolicy);
    expect(
      table.forRequest('GET', '/admin/stats').decide(origin('https://admin.example.com')).kind,
    ).toBe('allowed');
    expect(
      table.forRequest('POST', '/plain').decide(origin('https://admin.example.com')).kind,
    ).toBe('refused');
  });

  it('refuses a bad decorator at startup, naming the route', () => {
    @Controller('bad')
    class BadController {
      @CorsPolicy({ origins: ['https://ok.example.com/', 'null'] })
      @Get()
      get(): void {}

      @CorsPolicy({ origins: '*', credentials: true })
      @Get('star')
      star(): void {}
    }
    expect(() => buildTable([BadController])).toThrow(
      [
        '@CorsPolicy on BadController.get: origins: "https://ok.example.com/" must not end with "/"',
        '@CorsPolicy on BadController.get: origins: "null" is never allowed: sandboxed iframes, file: pages and redirects all send "null"',
        '@CorsPolicy on BadController.star: origins: "*" cannot be combined with credentials=true (browsers reject it); list the origins instead',
      ].join('\n'),
    );
  });

  it('merges route over controller field by field: a route tweak keeps the controller origins', () => {
    @CorsPolicy({ origins: ['https://admin.example.com'], credentials: true })
    @Controller('merged')
    class MergedController {
      @CorsPolicy({ maxAge: 600 })
      @Get()
      get(): void {}
    }
    const merged = buildTable([MergedController]).forRequest('GET', '/merged');
    expect(merged.decide(origin('http://localhost:1234')).kind).toBe('refused');
    const allowed = merged.decide(origin('https://admin.example.com'));
    expect(allowed.headers).toContainEqual(['Access-Control-Allow-Credentials', 'true']);
    const preflight = merged.decidePreflight({
      origins: ['https://admin.example.com'],
      requestMethod: 'GET',
    });
    expect(preflight.headers).toContainEqual(['Access-Control-Max-Age', '600']);
  });

  it('re-checks inherited env origins with the route settings (plain http + credentials)', () => {
    @Controller('creds')
    class CredsController {
      @CorsPolicy({ credentials: true })
      @Get()
      get(): void {}
    }
    expect(() =>
      buildTable([CredsController], { CORS_ALLOWED_ORIGINS: 'http://app.corp.example' }),
    ).toThrow(
      '@CorsPolicy on CredsController.get: origins: "http://app.corp.example" is plain http with credentials=true; use https or set CORS_ALLOW_INSECURE_ORIGINS=true',
    );
    expect(() =>
      buildTable([CredsController], {
        CORS_ALLOWED_ORIGINS: 'http://app.corp.example',
        CORS_ALLOW_INSECURE_ORIGINS: 'true',
      }),
    ).not.toThrow();
  });

  it('refuses out-of-range maxAge and empty methods on a decorator', () => {
    @Controller('odd')
    class OddController {
      @CorsPolicy({ maxAge: 100_000, methods: [] })
      @Get()
      get(): void {}
    }
    expect(() => buildTable([OddController])).toThrow(
      [
        '@CorsPolicy on OddController.get: methods: must list at least one method',
        '@CorsPolicy on OddController.get: maxAge must be an integer 0-86400, got 100000',
      ].join('\n'),
    );
  });

  it('a decorator without origins keeps the env allowlist but may change other settings', () => {
    @Controller('tuned')
    class TunedController {
      @CorsPolicy({ maxAge: 5, credentials: true })
      @Post()
      post(): void {}
    }
    const tuned = buildTable([TunedController]);
    const policy = tuned.forRequest('POST', '/tuned');
    expect(policy.decide(origin('http://localhost:1234')).headers).toContainEqual([
      'Access-Control-Allow-Credentials',
      'true',
    ]);
    expect(policy.decide(origin('https://evil.example')).kind).toBe('refused');
  });
});
