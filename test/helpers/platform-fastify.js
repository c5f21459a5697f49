// jest setupFile of the *-fastify projects: every app a spec starts runs on Fastify.
process.env.HTTP_PLATFORM = 'fastify';
