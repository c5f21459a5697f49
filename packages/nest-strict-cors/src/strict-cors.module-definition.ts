import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { StrictCorsOptions } from './options';

/**
 * `forRoot(options)` and `forRootAsync({ imports, inject, useFactory })`, built by Nest's own
 * builder. The module is global by default (`isGlobal: false` to opt out), so the route table and
 * the handler can be injected anywhere.
 */
export const {
  ConfigurableModuleClass: StrictCorsModuleClass,
  MODULE_OPTIONS_TOKEN: STRICT_CORS_OPTIONS,
} = new ConfigurableModuleBuilder<StrictCorsOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
