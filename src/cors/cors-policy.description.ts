import {
  type CompiledCorsPolicy,
  type CorsPolicyOptions,
  POLICY_FIELDS,
  type PolicyField,
  type ResolvedPolicyOptions,
  type StrictCorsRoutes,
} from 'nest-strict-cors';
import { CorsConfig, ENV_LABELS } from './cors.config';

export const POLICY_SETTINGS = POLICY_FIELDS;
export type PolicySettingName = PolicyField;

export interface PolicySetting {
  /** As the policy applies it (header names lowercased, `X-Request-Id` always exposed). */
  readonly value: string | number | boolean | readonly string[];
  /** e.g. `route: @CorsPolicy on GreetController.languages`, `env: CORS_MAX_AGE`, `default`. */
  readonly source: string;
}

/** Which policy applies and where each of its settings came from: what `cors:explain` prints. */
export interface PolicyDescription {
  /** `environment`, or the decorator that made the policy. */
  readonly name: string;
  readonly settings: Readonly<Record<PolicySettingName, PolicySetting>>;
}

/** Where the decorators of one route are: `Controller.method` and `Controller`. */
export interface DecoratorSites {
  readonly route: string;
  readonly controller: string;
}

type EnvSources = Readonly<Record<PolicySettingName, 'env' | 'default'>>;

/** The environment's policy: each setting from its variable, or the embedded default. */
export function describeEnvPolicy(
  options: ResolvedPolicyOptions,
  origins: '*' | readonly string[],
  sources: EnvSources,
): PolicyDescription {
  const source = (name: PolicySettingName) =>
    sources[name] === 'env'
      ? `env: ${ENV_LABELS[name]}`
      : `default (${ENV_LABELS[name]} unset or blank)`;
  return {
    name: 'environment',
    settings: settingsOf(options, origins, source),
  };
}

/** A decorated route's policy: route beats controller beats environment, field by field. */
export function describeRoutePolicy(
  options: ResolvedPolicyOptions,
  origins: '*' | readonly string[],
  onRoute: CorsPolicyOptions | undefined,
  onController: CorsPolicyOptions | undefined,
  sites: DecoratorSites,
  env: PolicyDescription,
): PolicyDescription {
  const declared = (name: PolicySettingName): string | undefined => {
    if (onRoute?.[name] !== undefined) return `route: @CorsPolicy on ${sites.route}`;
    if (onController?.[name] !== undefined) return `controller: @CorsPolicy on ${sites.controller}`;
    return undefined;
  };
  const source = (name: PolicySettingName): string => {
    // `origins: '*'` without credentials turns them off rather than inheriting them.
    if (name === 'credentials' && onRoute?.credentials === undefined) {
      if (onRoute?.origins === '*') {
        return `route: @CorsPolicy on ${sites.route} (implied by origins "*")`;
      }
      if (onController?.credentials === undefined && onController?.origins === '*') {
        return `controller: @CorsPolicy on ${sites.controller} (implied by origins "*")`;
      }
    }
    return declared(name) ?? env.settings[name].source;
  };
  const name = onRoute !== undefined ? sites.route : sites.controller;
  return { name: `@CorsPolicy on ${name}`, settings: settingsOf(options, origins, source) };
}

function settingsOf(
  options: ResolvedPolicyOptions,
  origins: '*' | readonly string[],
  source: (name: PolicySettingName) => string,
): Record<PolicySettingName, PolicySetting> {
  return {
    origins: { value: origins, source: source('origins') },
    credentials: { value: options.credentials, source: source('credentials') },
    methods: { value: options.methods, source: source('methods') },
    allowedHeaders: { value: options.allowedHeaders, source: source('allowedHeaders') },
    exposedHeaders: { value: options.exposedHeaders, source: source('exposedHeaders') },
    maxAge: { value: options.maxAge, source: source('maxAge') },
  };
}

/**
 * Which policy is which: the environment's, and each decorated route's with where its settings
 * came from. Built when `cors:explain` asks, from the package's route listing.
 */
export function describePolicies(
  routes: StrictCorsRoutes,
  config: Pick<CorsConfig, 'policy' | 'options' | 'sources'>,
): (policy: CompiledCorsPolicy) => PolicyDescription {
  const env = describeEnvPolicy(config.policy, config.options.origins, config.sources);
  const descriptions = new Map<CompiledCorsPolicy, PolicyDescription>([
    [routes.defaultPolicy, env],
  ]);
  for (const { policy, declared, site, controller } of routes.routes()) {
    if (descriptions.has(policy)) continue;
    const origins =
      declared.route?.origins ?? declared.controller?.origins ?? config.options.origins;
    descriptions.set(
      policy,
      describeRoutePolicy(
        policy.options,
        origins,
        declared.route,
        declared.controller,
        { route: site, controller },
        env,
      ),
    );
  }
  return (policy) => descriptions.get(policy) ?? env;
}
