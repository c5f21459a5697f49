import { Controller, Delete, ExecutionContext, Get, Post } from '@nestjs/common';
import { ApplicationConfig, DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { CorsPolicy } from './cors-policy.decorator';
import { CorsRefusedException } from './cors-refused.exception';
import { StrictCorsRoutes } from './cors-routes';
import type { StrictCorsOptions } from './options';
import { StrictCorsOptionsError } from './resolve-options';
import { StrictCorsGuard } from './strict-cors.guard';

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

const MODULE_OPTIONS: StrictCorsOptions = { origins: ['http://localhost:1234'] };

function buildTable(
  controllers: Array<new () => object>,
  options: Partial<StrictCorsOptions> = {},
): StrictCorsRoutes {
  const discovery = {
    getControllers: () => controllers.map((metatype) => ({ metatype })),
  } as unknown as DiscoveryService;
  const table = new StrictCorsRoutes(
    { ...MODULE_OPTIONS, ...options },
    discovery,
    new MetadataScanner(),
    new Reflector(),
    new ApplicationConfig(),
  );
  table.onModuleInit();
  return table;
}

/** The problems a StrictCorsOptionsError lists; fails when `run` throws nothing else. */
function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof StrictCorsOptionsError) return error.problems;
    throw error;
  }
  throw new Error('no StrictCorsOptionsError');
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

describe('StrictCorsGuard', () => {
  const table = buildTable([AdminController, PlainController]);
  const guard = new StrictCorsGuard(table, MODULE_OPTIONS);

  it('lets requests without an Origin through', () => {
    expect(guard.canActivate(context(AdminController, 'stats', {}))).toBe(true);
  });

  it('uses the controller policy over the environment', () => {
    expect(
      guard.canActivate(context(AdminController, 'stats', { origin: 'https://admin.example.com' })),
    ).toBe(true);
    expect(() =>
      guard.canActivate(context(AdminController, 'stats', { origin: 'http://localhost:1234' })),
    ).toThrow(CorsRefusedException);
  });

  it('uses the route policy over the controller policy', () => {
    expect(
      guard.canActivate(
        context(AdminController, 'publicInfo', { origin: 'https://anyone.example' }),
      ),
    ).toBe(true);
  });

  it('falls back to the module policy', () => {
    expect(
      guard.canActivate(context(PlainController, 'create', { origin: 'http://localhost:1234' })),
    ).toBe(true);
    expect(() =>
      guard.canActivate(
        context(PlainController, 'create', { origin: 'https://admin.example.com' }),
      ),
    ).toThrow(CorsRefusedException);
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
    ).toThrow(CorsRefusedException);
    expect(Object.fromEntries(response.headers)).toEqual({ vary: 'Origin' });
  });

  it("replaces another policy's headers when the handler's policy allows too", () => {
    // Decided before routing under a public policy (say the table and the router disagreed): the
    // stale `*` must not stay on a response of the admin-only handler.
    const admin = 'https://admin.example.com';
    const response = fakeResponse({
      'access-control-allow-origin': '*',
      'access-control-allow-credentials': 'true',
    });
    expect(guard.canActivate(context(AdminController, 'stats', { origin: admin }, response))).toBe(
      true,
    );
    expect(Object.fromEntries(response.headers)).toEqual({
      'access-control-allow-origin': admin,
      vary: 'Origin',
    });
    // Without Origin: no Access-Control-* line survives either.
    const plain = fakeResponse({ 'access-control-allow-origin': '*' });
    expect(guard.canActivate(context(AdminController, 'stats', {}, plain))).toBe(true);
    expect(Object.fromEntries(plain.headers)).toEqual({ vary: 'Origin' });
  });

  it('ignores non-HTTP contexts', () => {
    const rpc = { getType: () => 'rpc' } as unknown as ExecutionContext;
    expect(guard.canActivate(rpc)).toBe(true);
  });
});

describe('StrictCorsRoutes', () => {
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

  it('finds a route policy before routing, like Express: case-insensitive, optional trailing slash', () => {
    for (const url of ['/admin/public', '/ADMIN/Public', '/admin/public/']) {
      expect(table.forRequest('GET', url).policy.isPublic).toBe(true);
    }
    expect(table.forRequest('HEAD', '/admin/public').policy.isPublic).toBe(true);
  });

  it('distinguishes methods and falls back to the environment for unknown routes', () => {
    expect(table.forRequest('POST', '/admin/public').policy).toBe(table.defaultPolicy);
    expect(table.forRequest('GET', '/nope')).toEqual({
      policy: table.defaultPolicy,
      route: undefined,
    });
    expect(table.forRequest('GET', '/admin/stats').route).toBe('/admin/stats');
    expect(
      table.forRequest('GET', '/admin/stats').policy.decide(origin('https://admin.example.com'))
        .kind,
    ).toBe('allowed');
    expect(
      table.forRequest('POST', '/plain').policy.decide(origin('https://admin.example.com')).kind,
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
    expect(problemsOf(() => buildTable([BadController]))).toEqual([
      '@CorsPolicy on BadController.get: origins: "https://ok.example.com/" must not end with "/"',
      '@CorsPolicy on BadController.get: origins: "null" is never allowed: sandboxed iframes, file: pages and redirects all send "null"',
      '@CorsPolicy on BadController.star: origins: "*" cannot be combined with credentials=true (browsers reject it); list the origins instead',
    ]);
  });

  it('merges route over controller field by field: a route tweak keeps the controller origins', () => {
    @CorsPolicy({ origins: ['https://admin.example.com'], credentials: true })
    @Controller('merged')
    class MergedController {
      @CorsPolicy({ maxAge: 600 })
      @Get()
      get(): void {}
    }
    const merged = buildTable([MergedController]).forRequest('GET', '/merged').policy;
    expect(merged.decide(origin('http://localhost:1234')).kind).toBe('refused');
    const allowed = merged.decide(origin('https://admin.example.com'));
    expect(allowed.headers).toContainEqual(['Access-Control-Allow-Credentials', 'true']);
    const preflight = merged.decidePreflight({
      origins: ['https://admin.example.com'],
      requestMethod: 'GET',
    });
    expect(preflight.headers).toContainEqual(['Access-Control-Max-Age', '600']);
  });

  it('re-checks inherited module origins with the route settings (plain http + credentials)', () => {
    @Controller('creds')
    class CredsController {
      @CorsPolicy({ credentials: true })
      @Get()
      get(): void {}
    }
    expect(() => buildTable([CredsController], { origins: ['http://app.corp.example'] })).toThrow(
      '@CorsPolicy on CredsController.get: origins: "http://app.corp.example" is plain http with credentials=true; use https or set allowInsecureOrigins=true',
    );
    expect(() =>
      buildTable([CredsController], {
        origins: ['http://app.corp.example'],
        allowInsecureOrigins: true,
      }),
    ).not.toThrow();
  });

  it("a public route under a credentialed controller answers `*` without the controller's credentials", () => {
    @CorsPolicy({ origins: ['https://admin.example.com'], credentials: true })
    @Controller('mixed')
    class MixedController {
      @CorsPolicy({ origins: '*' })
      @Get('public')
      publicInfo(): void {}
    }
    const { policy } = buildTable([MixedController]).forRequest('GET', '/mixed/public');
    expect(policy.decide(origin('https://anyone.example'))).toEqual({
      kind: 'allowed',
      headers: [['Access-Control-Allow-Origin', '*']],
    });
  });

  it('refuses out-of-range maxAge and empty methods on a decorator', () => {
    @Controller('odd')
    class OddController {
      @CorsPolicy({ maxAge: 100_000, methods: [] })
      @Get()
      get(): void {}
    }
    expect(problemsOf(() => buildTable([OddController]))).toEqual([
      '@CorsPolicy on OddController.get: methods: must list at least one method',
      '@CorsPolicy on OddController.get: maxAge must be an integer 0-86400, got 100000',
    ]);
  });

  it('a decorator without origins keeps the module allowlist but may change other settings', () => {
    @Controller('tuned')
    class TunedController {
      @CorsPolicy({ maxAge: 5, credentials: true })
      @Post()
      post(): void {}
    }
    const tuned = buildTable([TunedController]);
    const { policy } = tuned.forRequest('POST', '/tuned');
    expect(policy.decide(origin('http://localhost:1234')).headers).toContainEqual([
      'Access-Control-Allow-Credentials',
      'true',
    ]);
    expect(policy.decide(origin('https://evil.example')).kind).toBe('refused');
  });
});
