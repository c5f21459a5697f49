import { Controller, Get, Post } from '@nestjs/common';
import { ApplicationConfig, DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { CorsPolicy, StrictCorsRoutes } from 'nest-strict-cors';
import { readAppEnv } from '../config/app.config';
import { parseEnv } from '../config/parse-env';
import { readCorsEnv } from './cors.config';
import { describePolicies } from './cors-policy.description';

/** A controller policy with one public route, and an undecorated controller. */
@CorsPolicy({ origins: ['https://admin.example.com'] })
@Controller('admin')
class AdminController {
  @CorsPolicy({ origins: '*' })
  @Get('public')
  publicInfo(): void {}

  @Get('stats')
  stats(): void {}
}

@Controller('plain')
class PlainController {
  @Post()
  create(): void {}
}

function described(env: Record<string, string>) {
  const config = parseEnv(env, (reader) => readCorsEnv(reader, readAppEnv(reader).nodeEnv));
  const discovery = {
    getControllers: () => [AdminController, PlainController].map((metatype) => ({ metatype })),
  } as unknown as DiscoveryService;
  const routes = new StrictCorsRoutes(
    config.options,
    discovery,
    new MetadataScanner(),
    new Reflector(),
    new ApplicationConfig(),
  );
  routes.onModuleInit();
  const describe = describePolicies(routes, config);
  return (method: string, path: string) => describe(routes.forRequest(method, path).policy);
}

it('says where each setting of a policy came from: route, controller, env or default', () => {
  const describeRoute = described({
    CORS_ALLOWED_ORIGINS: 'https://app.example.com',
    CORS_MAX_AGE: '600',
  });
  const stats = describeRoute('GET', '/admin/stats');
  expect(stats.name).toBe('@CorsPolicy on AdminController');
  expect(stats.settings.origins).toEqual({
    value: ['https://admin.example.com'],
    source: 'controller: @CorsPolicy on AdminController',
  });
  expect(stats.settings.maxAge).toEqual({ value: 600, source: 'env: CORS_MAX_AGE' });
  expect(stats.settings.methods.source).toBe('default (CORS_ALLOWED_METHODS unset or blank)');
  expect(stats.settings.exposedHeaders.value).toContain('X-Request-Id');
  const publicInfo = describeRoute('GET', '/admin/public');
  expect(publicInfo.name).toBe('@CorsPolicy on AdminController.publicInfo');
  expect(publicInfo.settings.origins.source).toBe(
    'route: @CorsPolicy on AdminController.publicInfo',
  );
  expect(publicInfo.settings.credentials).toEqual({
    value: false,
    source: 'route: @CorsPolicy on AdminController.publicInfo (implied by origins "*")',
  });
  const plain = describeRoute('POST', '/plain');
  expect(plain.name).toBe('environment');
  expect(plain.settings.origins.source).toBe('env: CORS_ALLOWED_ORIGINS');
});
