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
// NestJS 12 is ESM; two of its idioms need rewriting for a CommonJS bundle (see nestEsmToBundle),
// and non-ASCII characters are escaped (see escapeNonAscii).
import { build } from 'esbuild';
import { readFile, writeFile } from 'node:fs/promises';
import { unwrapInferredNames } from './unwrap-inferred-names.mjs';

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
const nestEsmToBundle = (source) =>
  source.replace(LOCAL_REQUIRE, '').replace(META_RESOLVE, 'require.resolve(');

// V8 keeps every script's source text in memory, in one byte a character only while every
// character is Latin-1; one other character anywhere makes it two bytes a character. esbuild
// escapes non-ASCII in strings but leaves it in regular expression literals (validator's
// alphabets): ~9.4 MiB of source instead of ~4.7, for the life of the process. Escaping every
// non-ASCII character of an input as \uXXXX keeps its meaning in strings, regular expressions
// (a surrogate pair is one code point with the u flag too), identifiers and comments; only a
// template's raw text would change, so a file that reads `.raw` is left as it is (and the check
// after the build names it if that leaves non-ASCII in the bundle).
const NON_ASCII = /[^\x00-\x7f]/g;
// A character already escaped with a backslash (`\é`, an identity escape) keeps one escape.
const ESCAPABLE = /(\\*)([^\x00-\x7f])/g;
const escapeNonAscii = (source) =>
  source.includes('.raw')
    ? source
    : source.replace(ESCAPABLE, (_, slashes, char) => {
        const kept = slashes.length % 2 === 1 ? slashes.slice(1) : slashes;
        return `${kept}\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
      });

/** esbuild plugin: the rewrites above, as each input is loaded. */
const prepareInputs = {
  name: 'prepare-inputs',
  setup(builder) {
    builder.onLoad({ filter: /\.[cm]?js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      let contents = escapeNonAscii(source);
      if (/[\\/]node_modules[\\/]@nestjs[\\/]/.test(args.path))
        contents = nestEsmToBundle(contents);
      return contents === source ? undefined : { contents, loader: 'js' };
    });
  },
};

// keepNames: NestJS reads class names (log contexts, module names in its messages), and esbuild
// renames some classes (`_InstanceLoader`) and drops others' inner names while minifying, so it
// restores each name with a `__name(fn, "name")` call. Its helper always redefines `name`; for a
// function declared inside another (Express's router `next`) that is a new hidden class on every
// call, allocated in V8's old space: 196 KB of old-space growth per scavenge on allowed POSTs,
// against 6 KB without it. The helper below leaves a name that is already right alone, which
// every declared function's is. Arrow functions passed straight to `__name` (NestJS builds some
// per request) are still named, as esbuild intends; that costs no old space, and a variant that
// skipped them measured no faster. Same length as esbuild's, padded: the source map's columns
// stay right.
const NAME_HELPER = 'var __name=(target,value)=>__defProp(target,"name",{value,configurable:!0});';
const NAME_HELPER_IF_DIFFERENT =
  'var __name=(t,v)=>t.name===v?t:__defProp(t,"name",{value:v,configurable:1});';

function nameOnlyWhenDifferent(text) {
  const at = text.indexOf(NAME_HELPER);
  if (at === -1 || text.indexOf(NAME_HELPER, at + 1) !== -1) {
    throw new Error(`${ENTRY}: esbuild's __name helper not found exactly once (esbuild changed?)`);
  }
  const helper = NAME_HELPER_IF_DIFFERENT.padEnd(NAME_HELPER.length, ' ');
  return text.slice(0, at) + helper + text.slice(at + NAME_HELPER.length);
}

/** Fails the build when the bundle still holds a non-ASCII character (see escapeNonAscii). */
function assertAscii(text) {
  const at = text.search(NON_ASCII);
  if (at !== -1) {
    throw new Error(`${ENTRY}: non-ASCII at offset ${at}: ${text.slice(at - 60, at + 20)}`);
  }
}

const result = await build({
  entryPoints: [ENTRY],
  outfile: ENTRY,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node24',
  external: EXTERNAL,
  // The build's tsconfig, without the editor's `paths` to packages/*/src: workspace packages are
  // bundled from their compiled dist/, which (unlike esbuild) tsc gave decorator metadata.
  tsconfig: 'tsconfig.build.json',
  plugins: [prepareInputs],
  // Whatever still reads import.meta.url (a createRequire with a computed name) gets the bundle's
  // own URL, so it resolves packages from dist/ the way the unbundled file did.
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__bundleUrl' },
  // Smaller source is less to parse and to keep in memory (V8 holds every script's text);
  // class and function names are kept (see nameOnlyWhenDifferent).
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  // Maps back through tsc's maps to src/: NODE_OPTIONS=--enable-source-maps for readable stacks.
  sourcemap: 'linked',
  legalComments: 'eof',
  logLevel: 'warning',
  metafile: true,
  // Written below, once the bundle's text is checked and its __name helper swapped.
  write: false,
});

for (const output of result.outputFiles) {
  if (output.path.endsWith('.js')) {
    const { code: text, unwrapped } = unwrapInferredNames(nameOnlyWhenDifferent(output.text));
    assertAscii(text);
    await writeFile(output.path, text);
    process.stdout.write(
      `${ENTRY}: ${unwrapped} __name calls unwrapped (see unwrap-inferred-names.mjs)\n`,
    );
  } else {
    await writeFile(output.path, output.contents);
  }
}

const files = Object.keys(result.metafile.inputs).length;
const bytes = result.metafile.outputs[ENTRY].bytes;
process.stdout.write(`bundled ${ENTRY}: ${files} files, ${(bytes / 1048576).toFixed(1)} MiB\n`);
