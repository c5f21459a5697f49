// NestJS 12 ships ESM only. Node 24 loads it from compiled CommonJS through require(esm), but jest's
// module system does not, so @swc/jest transforms those packages (and their ESM-only dependencies)
// to CommonJS along with our own TypeScript.
const esmPackages = ['@nestjs', 'file-type', 'strtok3', 'token-types', 'peek-readable', 'uint8array-extras', '@tokenizer', 'load-esm', '@fastify', 'content-disposition'];

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

const common = {
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.(t|j)s$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  testEnvironment: 'node',
  moduleNameMapper: {
    // A relative import written with its compiled `.js` name (what Node's ESM import() needs in
    // dist/) is the `.ts` source here.
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // The workspace package from its source, as the service's tsconfig paths have it: one copy of
    // its decorator and classes, whatever imports it.
    '^nest-strict-cors$': `${__dirname}/packages/nest-strict-cors/src/index.ts`,
  },
};

// The e2e and browser suites run once per HTTP platform: the same specs, HTTP_PLATFORM set by a
// setup file (the apps they start, in-process or spawned, read it).
const onFastify = { setupFiles: ['<rootDir>/helpers/platform-fastify.js'] };

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...common, displayName: 'unit', rootDir: 'src', testRegex: '.*\\.spec\\.ts$' },
    // nest-strict-cors (packages/): unit specs beside its code, HTTP specs once per platform.
    {
      ...common,
      displayName: 'package',
      rootDir: 'packages/nest-strict-cors',
      testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
    },
    { ...common, displayName: 'e2e', rootDir: 'test', testRegex: '.*\\.e2e-spec\\.ts$' },
    { ...common, displayName: 'e2e-fastify', rootDir: 'test', testRegex: '.*\\.e2e-spec\\.ts$', ...onFastify },
    // Real headless Chromium (Debian's /usr/bin/chromium); see docs/development.md "Browser tests".
    { ...common, displayName: 'browser', rootDir: 'test/browser', testRegex: '.*\\.browser-spec\\.ts$' },
    {
      ...common,
      displayName: 'browser-fastify',
      rootDir: 'test/browser',
      testRegex: '.*\\.browser-spec\\.ts$',
      setupFiles: ['<rootDir>/../helpers/platform-fastify.js'],
    },
  ],
};
