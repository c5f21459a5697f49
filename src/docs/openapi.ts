import { INestApplication } from '@nestjs/common';
import { describeApi } from './api-metadata';

const DESCRIPTION = `
Greets people in several languages, for front ends on other origins.

**CORS.** Browsers may read responses only from origins in \`CORS_ALLOWED_ORIGINS\` (exact
\`scheme://host[:port]\` entries or one-label patterns like \`https://*.example.com\`; \`null\` is
never allowed). An allowed origin gets \`Access-Control-Allow-Origin: <origin>\` and
\`Vary: Origin\` on every response, errors included; with \`CORS_ALLOW_CREDENTIALS=true\` also
\`Access-Control-Allow-Credentials: true\`. A preflight (\`OPTIONS\` with \`Origin\` and
\`Access-Control-Request-Method\`) is answered 204 when origin, method and headers are allowed.
Any refused origin, method or header gets **403** \`{"statusCode":403,"error":"Origin not allowed"}\`
without \`Access-Control-*\` headers, and the handler does not run. \`GET /greet/languages\` is
public (\`Access-Control-Allow-Origin: *\`). Every response carries \`X-Request-Id\`, readable by
browsers.

**Errors** are always \`{ "statusCode": <n>, "error": "<message>" }\`.
`.trim();

/**
 * Serves Swagger UI at /docs and the OpenAPI JSON at /docs-json, generated from the DTOs.
 * @nestjs/swagger is imported here, only when the docs are enabled (see api-metadata.ts).
 */
export async function setupOpenApi(app: INestApplication): Promise<void> {
  const swagger = await import('@nestjs/swagger');
  describeApi(swagger);
  const config = new swagger.DocumentBuilder()
    .setTitle('greet-cors-api')
    .setDescription(DESCRIPTION)
    .setVersion('0.1.0')
    .build();
  const document = swagger.SwaggerModule.createDocument(app, config);
  swagger.SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
