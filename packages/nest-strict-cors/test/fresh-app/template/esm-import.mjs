// NestJS 12 apps are often ESM: the package's named exports must load through `import` too.
import { CorsPolicy, StrictCorsModule, corsOptionsFromEnv, isOriginAllowed } from 'nest-strict-cors';
import { createRequire } from 'node:module';

const required = createRequire(import.meta.url)('nest-strict-cors');
for (const [name, value] of Object.entries({ CorsPolicy, StrictCorsModule, corsOptionsFromEnv, isOriginAllowed })) {
  if (typeof value !== 'function') throw new Error(`ESM import: ${name} is ${typeof value}`);
  if (required[name] !== value) throw new Error(`ESM import and require disagree on ${name}`);
}
process.stdout.write('ESM import and CommonJS require: same named exports\n');
