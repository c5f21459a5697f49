# syntax=docker/dockerfile:1
#
# Stages:
#   build  npm ci (dev dependencies included) and `npm run build` (tsc -> dist/, then esbuild
#          bundles the entry point into dist/main.js: one file to load instead of ~1,500)
#   demo   the demo front end (demo/serve.js, no dependencies): `docker build --target demo .`
#   api    the runtime image (the default target, last in this file): dist/ + production deps only
#
# Install scripts are ignored everywhere: the project needs none, and `--ignore-scripts` keeps it
# so whatever npm version the image ships (package.json's `allowScripts` needs npm 11).
FROM node:24-bookworm-slim AS build
WORKDIR /app
# The workspace package (packages/nest-strict-cors, the CORS layer) is built first, then bundled
# into dist/main.js with the rest.
COPY package.json package-lock.json ./
COPY packages/nest-strict-cors/package.json ./packages/nest-strict-cors/
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY packages/nest-strict-cors/tsconfig.build.json ./packages/nest-strict-cors/
COPY packages/nest-strict-cors/src ./packages/nest-strict-cors/src
COPY src ./src
COPY tools ./tools
RUN npm run build

FROM node:24-bookworm-slim AS demo
WORKDIR /app
COPY demo ./demo
USER node
EXPOSE 1234
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:1234/').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "demo/serve.js", "--host", "0.0.0.0", "--port", "1234"]

FROM node:24-bookworm-slim AS api
ENV NODE_ENV=production
WORKDIR /app
# Production dependencies only, installed as root so the (non-root) process cannot modify them.
# --omit=optional drops typescript (24 MB): the lockfile marks it dev-optional, as the build's
# compiler and an optional peer of @nestjs/swagger, whose compiler plugin the service never loads;
# the production tree has no other optional package. Dependencies' source maps and type
# declarations (~28 MB) are never read at run time. `npm run test:container` starts the result,
# with DOCS_ENABLED=true too.
# The workspace package is linked from node_modules like any dependency; its compiled dist/ is what
# the unbundled CLIs (cors:explain) load.
COPY package.json package-lock.json ./
COPY packages/nest-strict-cors/package.json ./packages/nest-strict-cors/
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
  && find node_modules -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -delete \
  && npm cache clean --force
COPY --from=build /app/packages/nest-strict-cors/dist ./packages/nest-strict-cors/dist
COPY --from=build /app/dist ./dist
# The image's `node` user (uid 1000).
USER node
# 5000: the API (PORT); 9464: Prometheus metrics (METRICS_PORT), for the container network only.
EXPOSE 5000 9464
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||5000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec-form CMD: node is PID 1 and gets SIGTERM itself; it drains for up to SHUTDOWN_TIMEOUT_MS
# (default 10000) and exits 0, so stop timeouts must be longer than that.
STOPSIGNAL SIGTERM
# The Node flags are `npm start`'s: --max-semi-space-size=8 caps V8's young generation at 2 x 8 MiB
# (under load V8 would grow it to 2 x 64 MiB); --no-concurrent-recompilation compiles hot functions
# on the main thread, which leaves ~25 MiB less resident under load (docs/performance.md,
# "Requests in batches" and "Compiling on the main thread").
CMD ["node", "--max-semi-space-size=8", "--no-concurrent-recompilation", "dist/main.js"]
