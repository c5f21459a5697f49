import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createApp } from '../app.factory';
import { buildOpenApiDocument } from '../docs/openapi';

/**
 * `npm run openapi`: writes the OpenAPI document to openapi.json at the repository root, so front
 * ends can generate clients without a running service. A spec fails when the committed file and
 * the code disagree.
 */
export const OPENAPI_FILE = path.resolve(__dirname, '../../openapi.json');

async function main(): Promise<void> {
  const app = await createApp({ logger: false });
  try {
    const document = await buildOpenApiDocument(app);
    writeFileSync(OPENAPI_FILE, `${JSON.stringify(document, null, 2)}\n`);
    process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `openapi: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
