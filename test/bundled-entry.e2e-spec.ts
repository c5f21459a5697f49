import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { jsonLogLines, MAIN_JS, ServiceProcess, startService } from './helpers/spawn-service';

const PROD = { NODE_ENV: 'production', CORS_ALLOWED_ORIGINS: 'https://app.example.com' };
const ROOT = path.resolve(__dirname, '..');
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
};

function post(service: ServiceProcess, body: string): Promise<Response> {
  return fetch(`${service.url}/greet`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: 'https://app.example.com' },
    body,
  });
}

describe('the bundled entry point (dist/main.js, built by tools/bundle-main.mjs)', () => {
  let service: ServiceProcess | undefined;
  afterEach(() => service?.kill());

  it('loads from node_modules only the packages left out on purpose', async () => {
    const record = path.join(mkdtempSync(path.join(tmpdir(), 'bundle-loads-')), 'loads.json');
    service = await startService({
      ...PROD,
      DOCS_ENABLED: 'true',
      NODE_OPTIONS: `--require ${path.join(__dirname, 'helpers', 'record-loaded-modules.js')}`,
      RECORD_LOADS_TO: record,
    });
    expect((await post(service, '{"name":"Alice"}')).status).toBe(200);
    expect((await fetch(`${service.url}/docs/swagger-ui-bundle.js`)).status).toBe(200);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    const loaded = JSON.parse(readFileSync(record, 'utf8')) as string[];
    const packages = new Set(
      loaded
        .map((file) => /[\\/]node_modules[\\/]((@[^\\/]+[\\/])?[^\\/]+)/.exec(file)?.[1])
        .filter((name): name is string => name !== undefined),
    );
    // What tools/bundle-main.mjs leaves out of the bundle (and pino's own dependencies).
    const leftOut = new Set([
      'pino',
      'pino-std-serializers',
      'sonic-boom',
      'thread-stream',
      'atomic-sleep',
      'on-exit-leak-free',
      'quick-format-unescaped',
      'safe-stable-stringify',
      'real-require',
      '@pinojs/redact',
      'pino-abstract-transport',
      'process-warning',
      'split2',
      'swagger-ui-dist',
      'parseurl',
    ]);
    expect([...packages].filter((name) => !leftOut.has(name))).toEqual([]);
    expect(loaded).toContain(MAIN_JS);
    expect(loaded.filter((file) => file.startsWith(path.dirname(MAIN_JS)))).toEqual([MAIN_JS]);
  });

  it("validates with the DTO rules (class-validator's metadata is found in the bundle)", async () => {
    service = await startService(PROD);
    const ok = await post(service, '{"name":"Alice","lang":"es"}');
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { greeting: string }).greeting).toBe('Hola, Alice!');
    const cases: Array<[string, string]> = [
      ['{"name":123}', "Field 'name' must be a string"],
      ['{"name":""}', "Field 'name' cannot be empty"],
      ['{"name":"a","lang":"xx"}', "Invalid or unsupported language selection: 'xx'"],
    ];
    for (const [body, error] of cases) {
      const res = await post(service, body);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ statusCode: 400, error });
    }
  });

  it("logs package.json's version at startup", async () => {
    service = await startService({ ...PROD, LOG_LEVEL: 'info' });
    await service.waitForOutput('listening on');
    expect(service.stdout()).toContain(`greet-cors-api ${manifest.version} listening on`);
  });

  it("serves Swagger UI's assets, which swagger-ui-dist finds by path", async () => {
    service = await startService({ ...PROD, DOCS_ENABLED: 'true' });
    const res = await fetch(`${service.url}/docs/swagger-ui-bundle.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  });

  it('holds the young generation itself only when started without --max-semi-space-size', async () => {
    const line = "V8's young generation is held at 8 MiB semi-spaces at run time";
    service = await startService({ ...PROD, LOG_LEVEL: 'debug' });
    await service.waitForOutput('listening on');
    expect(service.stdout()).toContain(line);
    service.kill();
    service = await startService({
      ...PROD,
      LOG_LEVEL: 'debug',
      NODE_OPTIONS: '--max-semi-space-size=8',
    });
    await service.waitForOutput('listening on');
    expect(service.stdout()).not.toContain(line);
  });

  it("starts in development with pino-pretty, whose worker thread loads from pino's files", async () => {
    service = await startService({ NODE_ENV: 'development', LOG_LEVEL: 'info' });
    await service.waitForOutput('listening on');
    expect(service.stdout()).toMatch(/INFO \(\d+\): greet-cors-api .* listening on/);
  });

  it("keeps NestJS's class names (its log contexts read them)", async () => {
    service = await startService({ ...PROD, LOG_LEVEL: 'debug' });
    await service.waitForOutput('listening on');
    const contexts = new Set(jsonLogLines(service.stdout()).map((line) => line.context));
    expect(contexts).toContain('InstanceLoader');
    expect(contexts).toContain('RoutesResolver');
    expect([...contexts].filter((context) => /^_|_\d+$/.test(String(context)))).toEqual([]);
  });

  it('names per-call functions the way JavaScript does, without a __name call each time', async () => {
    // tools/unwrap-inferred-names.mjs on a sample of esbuild's output, run before and after, in a
    // child (the tool is an ES module); then on the bundle itself, where nothing is left to do.
    const sample = [
      'var __name=(t,v)=>t.name===v?t:Object.defineProperty(t,"name",{value:v,configurable:1});',
      'function make(){let onData=__name(chunk=>{let inner=__name(()=>1,"inner");return inner},"onData"),',
      'o={getRequest:__name(()=>2,"getRequest"),"a-b":__name(function(){},"a-b"),p:__name((x=>x),"p")};',
      'let z;z=__name(async()=>3,"z");class K{f=__name(()=>4,"f")}',
      'let renamed=__name(()=>6,"original");let cls=__name(class{},"cls");',
      'return [onData,onData(),o.getRequest,o["a-b"],o.p,z,new K().f,renamed,cls].map(f=>f.name)}',
      'make()',
    ].join('\n');
    const script = `
      import { unwrapInferredNames } from ${JSON.stringify(path.join(ROOT, 'tools', 'unwrap-inferred-names.mjs'))};
      import { readFileSync } from 'node:fs';
      const sample = ${JSON.stringify(sample)};
      const { code, unwrapped } = unwrapInferredNames(sample);
      const bundle = unwrapInferredNames(readFileSync(${JSON.stringify(MAIN_JS)}, 'utf8'));
      console.log(JSON.stringify({
        before: (0, eval)(sample), after: (0, eval)(code), unwrapped, sameLength: code.length === sample.length,
        left: code.split('__name(').length - 1, inBundle: bundle.unwrapped,
      }));`;
    const { stdout } = await promisify(execFile)(process.execPath, [
      '--input-type=module',
      '-e',
      script,
    ]);
    const result = JSON.parse(stdout) as Record<string, unknown>;
    expect(result.before).toEqual([
      'onData',
      'inner',
      'getRequest',
      'a-b',
      'p',
      'z',
      'f',
      'original',
      'cls',
    ]);
    expect(result.after).toEqual(result.before);
    // Seven unwrapped; the renamed one, the class and the helper's own definition keep __name.
    expect(result).toMatchObject({ unwrapped: 7, sameLength: true, left: 2, inBundle: 0 });
  });

  it('is ASCII, so V8 keeps its source in one byte a character', () => {
    const source = readFileSync(MAIN_JS, 'latin1');
    expect(source.search(/[\u0080-\u00ff]/)).toBe(-1);
  });

  it('ships a source map that leads back to src/', () => {
    const map = JSON.parse(readFileSync(`${MAIN_JS}.map`, 'utf8')) as { sources: string[] };
    expect(map.sources.some((source) => source.endsWith('src/main.ts'))).toBe(true);
    expect(map.sources.some((source) => source.endsWith('src/cors/cors-request.handler.ts'))).toBe(
      true,
    );
  });
});
