import { Controller, Get, Post } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { parseEnv } from '../config/parse-env';
import { RateLimitConfig, readRateLimitEnv } from './rate-limit.config';
import { RateLimit } from './rate-limit.decorator';
import { RateLimitRules } from './rate-limit-rules';

@RateLimit({ max: 100 })
@Controller('reports')
class ReportsController {
  @Get()
  list(): void {}

  @Get('summary')
  summary(): void {}

  @RateLimit({ max: 2, windowMs: 10_000 })
  @Post('export')
  export(): void {}

  @RateLimit(false)
  @Get('status')
  status(): void {}
}

@RateLimit(false)
@Controller('probe')
class ProbeController {
  @Get()
  probe(): void {}

  @RateLimit({ max: 7 })
  @Get('deep')
  deep(): void {}
}

@Controller('plain')
class PlainController {
  @Post()
  create(): void {}

  @Get(':id')
  one(): void {}
}

function rulesFor(controllers: Array<new () => object>, env: Record<string, string> = {}) {
  const config: RateLimitConfig = parseEnv(env, readRateLimitEnv);
  const discovery = {
    getControllers: () => controllers.map((metatype) => ({ metatype })),
  } as unknown as DiscoveryService;
  return new RateLimitRules(config, discovery, new MetadataScanner(), new Reflector());
}

const ALL = [ReportsController, ProbeController, PlainController];

describe('RateLimitRules', () => {
  it('route beats controller beats RATE_LIMIT_MAX; each declaration is one budget', () => {
    const rules = rulesFor(ALL, { RATE_LIMIT_MAX: '50', RATE_LIMIT_WINDOW_MS: '30000' });
    const list = rules.ruleFor('GET', '/reports');
    const summary = rules.ruleFor('GET', '/reports/summary');
    expect(list).toMatchObject({ scope: 'ReportsController', max: 100, windowMs: 30_000 });
    // The controller's routes share its one budget.
    expect(summary).toBe(list);
    expect(rules.ruleFor('POST', '/reports/export')).toMatchObject({
      scope: 'ReportsController.export',
      max: 2,
      windowMs: 10_000,
      limitText: '2',
    });
    expect(rules.ruleFor('GET', '/reports/status')).toBeUndefined();
    // A route's limit inside an exempt controller counts.
    expect(rules.ruleFor('GET', '/probe')).toBeUndefined();
    expect(rules.ruleFor('GET', '/probe/deep')).toMatchObject({ max: 7 });
    const env = rules.ruleFor('POST', '/plain');
    expect(env).toMatchObject({ scope: 'env', max: 50, windowMs: 30_000 });
    expect(rules.ruleFor('GET', '/plain/42')).toBe(env);
    expect(rules.rules.map((rule) => rule.scope).sort()).toEqual([
      'ProbeController.deep',
      'ReportsController',
      'ReportsController.export',
      'env',
    ]);
    expect(rules.active).toBe(true);
  });

  it('matches the way the router does: case, trailing slash, HEAD by GET', () => {
    const rules = rulesFor(ALL, { RATE_LIMIT_MAX: '50' });
    expect(rules.ruleFor('GET', '/REPORTS/Summary/')).toMatchObject({ scope: 'ReportsController' });
    expect(rules.ruleFor('HEAD', '/reports/status')).toBeUndefined();
    expect(rules.ruleFor('HEAD', '/probe/deep')).toMatchObject({ max: 7 });
  });

  it('counts paths no route serves against the environment budget', () => {
    const rules = rulesFor(ALL, { RATE_LIMIT_MAX: '50' });
    expect(rules.ruleFor('GET', '/wp-login.php')).toMatchObject({ scope: 'env' });
    // A known path asked with another method (the 405) too.
    expect(rules.ruleFor('DELETE', '/reports/status')).toMatchObject({ scope: 'env' });
  });

  it('with RATE_LIMIT_MAX=0 only decorated routes count', () => {
    const rules = rulesFor(ALL);
    expect(rules.envRule).toBeUndefined();
    expect(rules.ruleFor('POST', '/plain')).toBeUndefined();
    expect(rules.ruleFor('GET', '/nowhere')).toBeUndefined();
    expect(rules.ruleFor('GET', '/reports')).toMatchObject({ max: 100, windowMs: 60_000 });
    expect(rules.active).toBe(true);
  });

  it('is inactive with no limit anywhere, and @RateLimit({ max: 0 }) turns a route off', () => {
    @Controller('x')
    class OffController {
      @RateLimit({ max: 0 })
      @Get()
      off(): void {}
    }
    const rules = rulesFor([PlainController, OffController]);
    expect(rules.active).toBe(false);
    expect(rulesFor([OffController], { RATE_LIMIT_MAX: '5' }).ruleFor('GET', '/x')).toBeUndefined();
  });

  it('refuses two limited controllers of one name (their budgets would be one)', () => {
    const adminController = (max: number, path: string) => {
      @RateLimit({ max })
      @Controller(path)
      class AdminController {
        @Get()
        list(): void {}
      }
      return AdminController;
    };
    expect(() => rulesFor([adminController(5, 'a'), adminController(50, 'b')])).toThrow(
      '@RateLimit on AdminController.list: another controller is also named AdminController',
    );
  });

  it('refuses bad decorator values at startup, naming the route and the field', () => {
    @Controller('bad')
    class BadController {
      @RateLimit({ max: -1 })
      @Get('a')
      a(): void {}

      @RateLimit({ max: 5, windowMs: 1500 })
      @Get('b')
      b(): void {}

      @RateLimit({ max: 1.5 })
      @Get('c')
      c(): void {}
    }
    expect(() => rulesFor([BadController])).toThrow(
      [
        '@RateLimit on BadController.a: max must be an integer 0-1000000000, got -1',
        '@RateLimit on BadController.b: windowMs must be a whole number of seconds in milliseconds, 1000-86400000 in steps of 1000, got 1500',
        '@RateLimit on BadController.c: max must be an integer 0-1000000000, got 1.5',
      ].join('\n'),
    );
  });
});
