import { INestApplication } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { APP_NAME, APP_VERSION } from '../common/app-version';
import { describeApi } from './api-metadata';

const DESCRIPTION = `
Greets people in several languages, for front ends on other origins.

**CORS.** Browsers may read responses only from origins in \`CORS_ALLOWED_ORIGINS\` (exact
\`scheme://host[:port]\` entries or one-label patterns like \`https://*.example.com\`; \`null\` is
never allowed). An allowed origin gets \`Access-Control-Allow-Origin: <origin>\` and
\`Vary: Origin\` on every response, errors included; with \`CORS_ALLOW_CREDENTIALS=true\` also
\`Access-Control-Allow-Credentials: true\`. A preflight (\`OPTIONS\` with \`Origin\` and
\`Access-Control-Request-Method\`) is answered 204 when origin, method and headers are allowed.
A refused origin gets **403** \`{"statusCode":403,"error":"Origin not allowed"}\` without
\`Access-Control-*\` headers, and the handler does not run; a preflight refused for its method or
headers gets 403 \`Method not allowed by CORS policy\` or \`Request header not allowed by CORS policy\`. \`GET /greet/languages\` is
public (\`Access-Control-Allow-Origin: *\`). Every response carries \`X-Request-Id\`, readable by
browsers.

**Errors** are always \`{ "statusCode": <n>, "error": "<message>" }\`.
`.trim();

/**
 * The OpenAPI document, generated from the controllers and DTOs: what /docs-json serves and what
 * `npm run openapi` writes to openapi.json. @nestjs/swagger is imported here, only when needed
 * (see api-metadata.ts).
 */
export async function buildOpenApiDocument(app: INestApplication): Promise<OpenAPIObject> {
  const swagger = await import('@nestjs/swagger');
  describeApi(swagger);
  const config = new swagger.DocumentBuilder()
    .setTitle(APP_NAME)
    .setDescription(DESCRIPTION)
    .setVersion(APP_VERSION)
    .build();
  return swagger.SwaggerModule.createDocument(app, config);
}

/** Serves Swagger UI at /docs and the OpenAPI JSON at /docs-json. */
export async function setupOpenApi(app: INestApplication): Promise<void> {
  const swagger = await import('@nestjs/swagger');
  const document = await buildOpenApiDocument(app);
  swagger.SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
