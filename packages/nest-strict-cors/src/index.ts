// nest-strict-cors: strict, byte-exact CORS for NestJS on Express and Fastify. Named exports
// only, each listed here, so CommonJS `require` and ESM `import` both see every name.
export { StrictCorsModule } from './strict-cors.module';
export { STRICT_CORS_OPTIONS } from './strict-cors.module-definition';
export { CorsPolicy } from './cors-policy.decorator';
export { StrictCorsGuard } from './strict-cors.guard';
export { replaceCorsHeaders, setCorsHeaders } from './cors-headers';
export { StrictCorsMiddleware } from './strict-cors.middleware';
export { StrictCorsHandler } from './strict-cors.handler';
export { StrictCorsRoutes } from './cors-routes';
export type { CorsRouteInfo, RoutePolicy } from './cors-routes';
export { CorsRefusedException } from './cors-refused.exception';
export { REFUSAL_MESSAGES, refusalMessage } from './messages';
export { CompiledCorsPolicy, REFUSAL_CODES } from './compiled-policy';
export type { CorsDecision, CorsRequest, PreflightRequest, RefusalCode } from './compiled-policy';
export { POLICY_DEFAULTS } from './options';
export type {
  CorsDecisionEvent,
  CorsOrigins,
  CorsPolicyOptions,
  DecisionStage,
  HeaderList,
  ResolvedPolicyOptions,
  StrictCorsMode,
  StrictCorsOptions,
} from './options';
export { POLICY_FIELDS, StrictCorsOptionsError } from './resolve-options';
export type { PolicyField } from './resolve-options';
export { CORS_ENV_VARIABLES, corsOptionsFromEnv, readCorsEnv } from './cors-env';
export type { CorsEnvResult, CorsEnvSettings, EnvSource } from './cors-env';
export { isOriginAllowed, parseOriginEntry, MAX_ORIGIN_LENGTH } from './origin-allowlist';
export type { OriginAllowlist, OriginEntry } from './origin-allowlist';
export { MAX_AGE_LIMIT, TOKEN } from './options-parser';
export { isPreflight, nodeRequest, nodeResponse, pathOf } from './request-facts';
export { RouteMap } from './route-map';
export { discoverRoutes } from './discover-routes';
export type { DiscoveredRoute } from './discover-routes';
