import fastifyCors from '@fastify/cors';
import Fastify from 'fastify';
import { ALLOWED_ORIGINS, ALLOW_CREDENTIALS, MAX_AGE_SECONDS } from './shared/cors-policy';
import { GreetRequest, LANGS, NAME_MAX_LENGTH, DEFAULT_LANG, greet } from './shared/greeting';
import { HOST, portFromEnv } from './shared/listen-address';

/**
 * Reference: Fastify 5 with @fastify/cors, validating with a JSON schema and serializing with a
 * response schema, as Fastify's docs recommend. A schema cannot trim, so the handler trims and
 * re-checks emptiness itself.
 */
const greetSchema = {
  body: {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1, maxLength: NAME_MAX_LENGTH },
      lang: { type: 'string', enum: LANGS },
    },
  },
  response: {
    200: {
      type: 'object',
      properties: { greeting: { type: 'string' }, timestamp: { type: 'string' } },
    },
  },
} as const;

interface GreetBody {
  name: string;
  lang?: GreetRequest['lang'];
}

async function main(): Promise<void> {
  const app = Fastify();
  await app.register(fastifyCors, {
    origin: [...ALLOWED_ORIGINS],
    credentials: ALLOW_CREDENTIALS,
    maxAge: MAX_AGE_SECONDS,
  });

  app.get('/health', () => ({ status: 'ok' }));

  app.post<{ Body: GreetBody }>('/greet', { schema: greetSchema }, (request, reply) => {
    const name = request.body.name.trim();
    if (name.length === 0) {
      return reply.code(400).send({ statusCode: 400, error: "Field 'name' cannot be empty" });
    }
    return reply.send(greet({ name, lang: request.body.lang ?? DEFAULT_LANG }));
  });

  await app.listen({ port: portFromEnv(), host: HOST });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
