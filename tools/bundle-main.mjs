// Second step of `npm run build`, after tsc: dist/main.js (the service's entry point) becomes one
// file holding the service and the packages it loads, built with esbuild.
//
// Why: a NestJS start is mostly module loading. Unbundled, the service resolves, reads and compiles
// ~1,500 files (~600 ms from spawn to the first 200 on /health/live, 1.13x the plain NestJS
// reference); bundled it reads one (~350 ms, ~0.65x), and holds ~12 MiB less at idle. The other
// files of dist/ (the CLIs, what the image's tools import) stay as tsc wrote them.
//
// What stays outside the bundle, loaded from node_modules at run time as before:
// - packages that are optional peers of NestJS and not installed (Nest loads them only on demand);
// - packages that find their own files by path: swagger-ui-dist (the docs page's assets), pino and
//   thread-stream (pino's transports run a worker thread from a file in the package);
// - parseurl: for an odd request target it falls back to url.parse(), whose deprecation warning
//   Node prints only for callers outside node_modules: bundled, it would print a non-JSON line
//   to the log.
// NestJS 12 is ESM; two of its idioms need rewriting for a CommonJS bundle (see nestEsmToBundle).
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';

const ENTRY = 'dist/main.js';

const EXTERNAL = [
  '@nestjs/microservices',
  '@nestjs/microservices/*',
  '@nestjs/websockets',
  '@nestjs/websockets/*',
  '@fastify/multipart',
  '@fastify/view',
  'swagger-ui-dist',
  'swagger-ui-dist/*',
  'pino',
  'pino/*',
  'pino-pretty',
  'thread-stream',
  'parseurl',
  // The fallback of a try/catch in @nestjs/mapped-types for an older class-transformer layout.
  'class-transformer/storage',
];

// `const require = createRequire(import.meta.url)` hides a package from the bundler: it would load
// a second copy of it from node_modules at run time. For class-validator (which
// @nestjs/mapped-types loads that way) a second copy means a second metadata store, in which the
// DTOs' decorators are not: validation that silently passes everything. Dropping the line lets
// those calls reach the bundle's own `require`, so there is one copy of every bundled package.
const LOCAL_REQUIRE = /^const require = createRequire\(import\.meta\.url\);$/m;
// `import.meta.resolve(name)` (terminus's check that an indicator's peer is installed) has no
// meaning in CommonJS; require.resolve answers the same question from the bundle's folder.
const META_RESOLVE = /\bimport\.meta\.resolve\(/g;
const rewritten = (source) =>
  source.replace(LOCAL_REQUIRE, '').replace(META_RESOLVE, 'require.resolve(');

/** esbuild plugin: the two rewrites above, in NestJS's own packages only. */
const nestEsmToBundle = {
  name: 'nest-esm-to-bundle',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]node_modules[\\/]@nestjs[\\/].*\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const contents = rewritten(source);
      return contents === source ? undefined : { contents, loader: 'js' };
    });
  },
};

const result = await build({
  entryPoints: [ENTRY],
  outfile: ENTRY,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node24',
  external: EXTERNAL,
  plugins: [nestEsmToBundle],
  // Whatever still reads import.meta.url (a createRequire with a computed name) gets the bundle's
  // own URL, so it resolves packages from dist/ the way the unbundled file did.
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__bundleUrl' },
  // Smaller source is less to parse and to keep in memory (V8 holds every script's text);
  // class and function names are kept: Nest's tokens, logs and errors read them.
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: false,
  // Maps back through tsc's maps to src/: NODE_OPTIONS=--enable-source-maps for readable stacks.
  sourcemap: 'linked',
  legalComments: 'eof',
  logLevel: 'warning',
  metafile: true,
});

const files = Object.keys(result.metafile.inputs).length;
const bytes = result.metafile.outputs[ENTRY].bytes;
process.stdout.write(`bundled ${ENTRY}: ${files} files, ${(bytes / 1048576).toFixed(1)} MiB\n`);
