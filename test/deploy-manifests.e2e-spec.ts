/**
 * Checks the deployment files (Dockerfile, docker-compose.yml, deploy/k8s/*.yaml) against the
 * service itself: every variable they set is one the service reads and passes its own startup
 * validation, probes hit real health routes on the real port, shutdown budgets exceed the drain
 * timeout, and the service built from dist/ really starts with the compose environment.
 * Nothing here needs a Docker engine or a cluster; `docker-compose config` runs when installed.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { ConfigValidationError } from '../src/config/config-validation.error';
import { knownEnvVariables, validateEnv } from '../src/config/env.validation';
import { METRICS_DEFAULT_PORT } from '../src/metrics/metrics.config';
import { freePort, ServiceProcess, startService } from './helpers/spawn-service';

const ROOT = path.resolve(__dirname, '..');
const K8S_DIR = path.join(ROOT, 'deploy/k8s');

/** The service's health routes (src/health/health.controller.ts). */
const LIVE = '/health/live';
const READY = '/health/ready';
const HEALTH_ROUTES = [LIVE, READY, '/health'];
/** The service's defaults (src/config/app.config.ts). */
const DEFAULT_PORT = 5000;
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
/** The demo page's origin and the API URL it calls from the browser (demo/app.js). */
const DEMO_ORIGIN = 'http://localhost:1234';
const DEMO_PORT = 1234;
/**
 * The highest peak RSS measured under load (docs/performance.md: 171 MiB on Express and 194 MiB
 * on Fastify in the last benchmarks). Update it with the next measurement.
 */
const PEAK_RSS_MIB = 194;

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Env = Record<string, string>;

// ---------------------------------------------------------------------------------------------
// Small parsers
// ---------------------------------------------------------------------------------------------

function read(file: string): string {
  return readFileSync(path.join(ROOT, file), 'utf8');
}

/** Compose interpolation with an empty environment: `${VAR:-default}` / `${VAR-default}` → default. */
function resolveCompose(value: unknown, where: string): string {
  const text = String(value);
  const resolved = text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g,
    (match, name: string | undefined, op: string | undefined, fallback: string | undefined) => {
      if (match === '$$') return '\0';
      if (op === undefined) {
        throw new Error(`${where}: \${${name}} has no default; use \${${name}:-default}`);
      }
      return fallback ?? '';
    },
  );
  if (/\$/.test(resolved)) throw new Error(`${where}: unsupported interpolation in "${text}"`);
  return resolved.replace(/\0/g, '$');
}

/** A compose `environment:` (map or `KEY=VALUE` list) with interpolation resolved. */
function composeEnvironment(service: Obj, serviceName: string): Env {
  const raw: unknown = service.environment ?? {};
  const entries: [string, unknown][] = Array.isArray(raw)
    ? raw.map((item: string) => {
        const index = String(item).indexOf('=');
        return index === -1 ? [String(item), ''] : [item.slice(0, index), item.slice(index + 1)];
      })
    : Object.entries(raw as Obj);
  return Object.fromEntries(
    entries.map(([name, value]) => [
      name,
      value === null ? '' : resolveCompose(value, `${serviceName}.environment.${name}`),
    ]),
  );
}

/** Compose durations such as 15s, 1m30s, 1500ms. */
function durationMs(value: unknown): number {
  const text = String(value);
  const units: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(us|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new Error(`not a compose duration: ${text}`);
  }
  return parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * units[unit], 0);
}

/** Compose port entries (short "5000:5000" or long syntax) as { published, target }. */
function composePorts(service: Obj): { published: number; target: number }[] {
  return ((service.ports ?? []) as unknown[]).map((entry) => {
    if (typeof entry === 'object' && entry !== null) {
      const { published, target } = entry as Obj;
      return { published: Number(published), target: Number(target) };
    }
    const match = /^(?:[\d.]+:)?(\d+):(\d+)(?:\/tcp)?$/.exec(String(entry));
    if (match === null) throw new Error(`unsupported port mapping: ${String(entry)}`);
    return { published: Number(match[1]), target: Number(match[2]) };
  });
}

/** Kubernetes quantities: cpu in cores, memory in bytes. */
function quantity(value: unknown): number {
  const match = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(value));
  if (match === null) throw new Error(`not a quantity: ${String(value)}`);
  const factors: Record<string, number> = {
    m: 0.001,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
  };
  return Number(match[1]) * (match[2] === undefined ? 1 : factors[match[2]]);
}

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** Dockerfile → stages (comments dropped, line continuations joined). */
function dockerfileStages(text: string): Stage[] {
  const lines = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword, args] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: args.replace(/\s+/g, ' ') };
    if (instruction.keyword === 'FROM') {
      const from = /^(?:--platform=\S+ )?(\S+)(?: AS (\S+))?$/i.exec(instruction.args);
      if (from === null) throw new Error(`unsupported FROM: ${line}`);
      stages.push({ from: from[1], name: from[2], instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') throw new Error(`instruction before FROM: ${line}`);
    } else {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return stages;
}

function all(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

/** Health paths a probe command (node -e "fetch('http://127.0.0.1:5000/health/ready')") hits. */
function healthPathsIn(command: string): string[] {
  return [...command.matchAll(/https?:\/\/[^'"\s/]+(?:'\s*\+[^+]*\+\s*')?(\/[\w\-/]*)/g)].map(
    (m) => m[1],
  );
}

function expectValidConfig(env: Env, label: string): void {
  try {
    validateEnv({ ...env });
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      throw new Error(`${label} fails the service's validation:\n  ${error.problems.join('\n  ')}`);
    }
    throw error;
  }
}

function onPath(binary: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir, binary), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

// ---------------------------------------------------------------------------------------------
// The files
// ---------------------------------------------------------------------------------------------

const KNOWN = knownEnvVariables();

const stages = dockerfileStages(read('Dockerfile'));
const finalStage = stages[stages.length - 1];

const compose = parse(read('docker-compose.yml')) as Obj;
const services = (compose?.services ?? {}) as Obj;
const api = (services.api ?? {}) as Obj;
const demo = (services.demo ?? {}) as Obj;
const composeApiEnv = composeEnvironment(api, 'api');
const composeApiPort = Number(composeApiEnv.PORT ?? DEFAULT_PORT);

const k8sFiles = readdirSync(K8S_DIR)
  .filter((file) => /\.ya?ml$/.test(file))
  .sort();
const k8sDocs: Obj[] = k8sFiles.flatMap((file) =>
  parseAllDocuments(readFileSync(path.join(K8S_DIR, file), 'utf8'))
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
      return doc.toJS() as Obj | null;
    })
    .filter((doc): doc is Obj => doc !== null),
);
const ofKind = (kind: string) => k8sDocs.filter((doc) => doc.kind === kind);
const deployment = ofKind('Deployment')[0] ?? {};
const podSpec = (deployment.spec?.template?.spec ?? {}) as Obj;
const container = (podSpec.containers?.[0] ?? {}) as Obj;
const containerPorts = (container.ports ?? []) as Obj[];
const configMaps = ofKind('ConfigMap');

/** The pod's environment: envFrom ConfigMaps, then `env` (which wins), as the kubelet does. */
function k8sEnv(): Env {
  const env: Env = {};
  for (const source of (container.envFrom ?? []) as Obj[]) {
    const name = source.configMapRef?.name as string | undefined;
    if (name === undefined) throw new Error(`envFrom supports configMapRef only here`);
    const map = configMaps.find((cm) => cm.metadata?.name === name);
    if (map === undefined) throw new Error(`envFrom references missing ConfigMap "${name}"`);
    for (const [key, value] of Object.entries((map.data ?? {}) as Obj)) {
      env[`${source.prefix ?? ''}${key}`] = String(value);
    }
  }
  for (const entry of (container.env ?? []) as Obj[]) {
    if (entry.valueFrom !== undefined) {
      // An optional Secret (REDIS_URL) has no value here: the pod must start without it.
      if (entry.valueFrom.secretKeyRef?.optional === true) continue;
      throw new Error(`env ${entry.name}: only optional secretKeyRef is supported`);
    }
    env[entry.name as string] = String(entry.value ?? '');
  }
  return env;
}

/** A named or numeric container port → number. */
function resolvePort(port: unknown): number | undefined {
  if (typeof port === 'number') return port;
  return containerPorts.find((p) => p.name === port)?.containerPort as number | undefined;
}

// ---------------------------------------------------------------------------------------------
// Dockerfile
// ---------------------------------------------------------------------------------------------

describe('Dockerfile', () => {
  it('is multi-stage on node:24-bookworm-slim (Node.js 24 LTS)', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const stageNames = stages.map((s) => s.name);
    for (const stage of stages) {
      if (stageNames.includes(stage.from)) continue;
      expect(stage.from).toMatch(/^node:24(\.\d+){0,2}-bookworm-slim(@sha256:[0-9a-f]{64})?$/);
    }
  });

  it('builds with dev dependencies in an earlier stage and copies only compiled output from it', () => {
    const build = stages.find((s) => all(s, 'RUN').some((run) => /npm run build/.test(run)));
    expect(build).toBeDefined();
    expect(build).not.toBe(finalStage);
    const buildInstall = all(build!, 'RUN').filter((run) => /npm ci/.test(run));
    expect(buildInstall.length).toBeGreaterThan(0);
    expect(buildInstall.join(' ')).not.toContain('--omit=dev');
    const copies = all(finalStage, 'COPY').filter((args) => args.startsWith('--from='));
    // dist/, and the workspace package's dist/ (what the unbundled CLIs load).
    expect(copies).toEqual([
      `--from=${build!.name} /app/packages/nest-strict-cors/dist ./packages/nest-strict-cors/dist`,
      `--from=${build!.name} /app/dist ./dist`,
    ]);
  });

  it('installs production dependencies only in the final stage (no install scripts anywhere)', () => {
    const installs = all(finalStage, 'RUN').filter((run) => /npm (ci|install|i)\b/.test(run));
    expect(installs.length).toBeGreaterThan(0);
    for (const run of installs) expect(run).toMatch(/npm ci .*--omit=dev/);
    // The image's npm 10 ignores package.json's npm 11 `allowScripts`; the project needs none.
    const everyInstall = stages.flatMap((s) => all(s, 'RUN')).filter((run) => /npm ci/.test(run));
    for (const run of everyInstall) expect(run).toContain('--ignore-scripts');
  });

  it('final stage: NODE_ENV=production, non-root USER, EXPOSE 5000, exec-form CMD', () => {
    const envs = all(finalStage, 'ENV');
    expect(envs.some((env) => /(^|\s)NODE_ENV[= ]"?production"?(\s|$)/.test(env))).toBe(true);
    const users = all(finalStage, 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users[users.length - 1]).not.toMatch(/^(root|0)(:|$)/);
    expect(all(finalStage, 'EXPOSE').join(' ').split(/\s+/)).toContain(String(DEFAULT_PORT));
    const cmds = all(finalStage, 'CMD');
    expect(cmds).toHaveLength(1);
    // The image runs the service as `npm start` does, Node flags included (the benchmark starts
    // it from that script, so what is measured is what ships).
    const { scripts } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const startScript = scripts.start;
    // `start:prod` is the same command without the build (prestart): the flags must not drift.
    expect(scripts['start:prod']).toBe(startScript);
    expect(startScript).toMatch(/^node (--[a-z-]+(=\S+)? )*dist\/main\.js$/);
    // What the memory figures rest on (docs/performance.md): the young generation's cap, and
    // optimizing compiles on the main thread (~25 MiB less resident under load).
    expect(startScript.split(' ')).toEqual(
      expect.arrayContaining(['--max-semi-space-size=8', '--no-concurrent-recompilation']),
    );
    expect(JSON.parse(cmds[0])).toEqual(startScript.split(' '));
    expect(all(finalStage, 'ENTRYPOINT')).toEqual([]);
    expect(all(finalStage, 'STOPSIGNAL')).toEqual(['SIGTERM']);
  });

  it('final stage HEALTHCHECK runs node against a real health route on the service port', () => {
    const checks = all(finalStage, 'HEALTHCHECK');
    expect(checks).toHaveLength(1);
    const command = /\bCMD (\[.*\])$/.exec(checks[0]);
    expect(command).not.toBeNull();
    const argv = JSON.parse(command![1]) as string[];
    expect(argv[0]).toBe('node');
    const paths = healthPathsIn(argv.join(' '));
    expect(paths).toEqual([LIVE]);
    expect(argv.join(' ')).toMatch(/process\.env\.PORT\s*\|\|\s*5000|:5000\//);
  });

  it('the demo target serves demo/ as non-root with a healthcheck', () => {
    const demoStage = stages.find((s) => s.name === 'demo');
    expect(demoStage).toBeDefined();
    expect(all(demoStage!, 'COPY')).toEqual(['demo ./demo']);
    expect(all(demoStage!, 'USER')).toEqual(['node']);
    expect(all(demoStage!, 'HEALTHCHECK')).toHaveLength(1);
    expect(JSON.parse(all(demoStage!, 'CMD')[0])).toEqual([
      'node',
      'demo/serve.js',
      '--host',
      '0.0.0.0',
      '--port',
      String(DEMO_PORT),
    ]);
  });

  it('.dockerignore keeps local state and secrets out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    for (const entry of [
      'node_modules',
      'dist',
      '.git',
      'artifacts',
      'bench/results',
      'coverage',
    ]) {
      expect(ignored).toContain(entry);
    }
    expect(ignored).toContain('.env');
    expect(ignored).toContain('.env.*');
    expect(ignored).toContain('!.env.example');
    // What the build stage copies must not be ignored.
    for (const needed of ['src', 'demo', 'package.json', 'package-lock.json', 'tsconfig.json']) {
      expect(ignored).not.toContain(needed);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// docker-compose.yml
// ---------------------------------------------------------------------------------------------

describe('docker-compose.yml', () => {
  it('builds api and demo from this Dockerfile, api from the final (runtime) stage', () => {
    expect(api.build?.target).toBe(finalStage.name);
    expect(demo.build?.target).toBe('demo');
    for (const service of [api, demo]) {
      expect(service.build?.context).toBe('.');
      expect(stages.map((s) => s.name)).toContain(service.build?.target);
    }
  });

  it('sets only variables the service knows, and passes every one of them through', () => {
    const names = Object.keys(composeApiEnv).sort();
    expect(names.filter((name) => !KNOWN.includes(name))).toEqual([]);
    // Every variable is overridable from the shell or .env: none is silently unreachable.
    expect(names).toEqual(KNOWN);
  });

  it("the api environment (defaults resolved) passes the service's validation", () => {
    expect(composeApiEnv.NODE_ENV).toBe('production');
    expectValidConfig(composeApiEnv, 'docker-compose api environment');
  });

  it('allows the demo origin, so the seed story works out of the box', () => {
    const origins = composeApiEnv.CORS_ALLOWED_ORIGINS.split(',').map((o) => o.trim());
    expect(origins).toContain(DEMO_ORIGIN);
  });

  it('publishes the api port as 5000 (what the demo page calls) and the demo on 1234', () => {
    expect(composeApiEnv.HOST).toBe('0.0.0.0');
    expect(composePorts(api)).toEqual([{ published: DEFAULT_PORT, target: composeApiPort }]);
    expect(composePorts(demo)).toEqual([{ published: DEMO_PORT, target: DEMO_PORT }]);
  });

  it('exposes the metrics port to the project network only, never published to the host', () => {
    expect(composeApiEnv.METRICS_ENABLED).toBe('true');
    const metricsPort = Number(composeApiEnv.METRICS_PORT);
    expect(metricsPort).toBe(METRICS_DEFAULT_PORT);
    expect(((api.expose ?? []) as unknown[]).map(String)).toEqual([String(metricsPort)]);
    expect(composePorts(api).map((p) => p.target)).not.toContain(metricsPort);
  });

  it('api healthcheck hits /health/ready on the api port', () => {
    const test = (api.healthcheck?.test ?? []) as string[];
    expect(test[0]).toBe('CMD');
    expect(test[1]).toBe('node');
    expect(healthPathsIn(test.join(' '))).toEqual([READY]);
    expect(test.join(' ')).toContain(`//127.0.0.1:${composeApiPort}/`);
  });

  it('runs both services hardened: read-only root, no capabilities, no new privileges, limits', () => {
    for (const service of [api, demo]) {
      expect(service.read_only).toBe(true);
      expect(service.cap_drop).toEqual(['ALL']);
      expect(service.security_opt).toEqual(['no-new-privileges:true']);
      expect(service.mem_limit).toBeDefined();
      expect(Number(service.cpus)).toBeGreaterThan(0);
    }
    expect(quantity(String(api.mem_limit).replace(/m$/, 'Mi'))).toBeGreaterThanOrEqual(
      PEAK_RSS_MIB * 1.5 * 2 ** 20,
    );
    // The only writable place of the api container.
    expect(api.tmpfs).toEqual(['/tmp:size=16m']);
  });

  it('demo has a healthcheck and waits for a healthy api', () => {
    const test = (demo.healthcheck?.test ?? []) as string[];
    expect(test.join(' ')).toContain(`//127.0.0.1:${DEMO_PORT}/`);
    expect(demo.depends_on?.api?.condition).toBe('service_healthy');
  });

  it('stop_grace_period exceeds SHUTDOWN_TIMEOUT_MS, so drains finish before SIGKILL', () => {
    const shutdownMs = Number(composeApiEnv.SHUTDOWN_TIMEOUT_MS ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
    expect(durationMs(api.stop_grace_period)).toBeGreaterThan(shutdownMs);
    expect(api.stop_signal ?? 'SIGTERM').toBe('SIGTERM');
  });

  const composeBinary = onPath('docker-compose');
  (composeBinary ? it : it.skip)(
    composeBinary
      ? 'docker-compose config -q accepts the file'
      : 'docker-compose config -q accepts the file [SKIPPED: docker-compose not installed; apt-get install -y docker-compose]',
    () => {
      const result = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    },
    40_000,
  );

  const composeV2 =
    onPath('docker') &&
    spawnSync('docker', ['compose', 'version'], { encoding: 'utf8', timeout: 10_000 }).status === 0;
  (composeV2 ? it : it.skip)(
    composeV2
      ? 'docker compose (v2) config -q accepts the file'
      : 'docker compose (v2) config -q accepts the file [SKIPPED: Compose v2 plugin not installed]',
    () => {
      const result = spawnSync('docker', ['compose', '-f', 'docker-compose.yml', 'config', '-q'], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    },
    40_000,
  );
});

// ---------------------------------------------------------------------------------------------
// deploy/k8s
// ---------------------------------------------------------------------------------------------

describe('deploy/k8s', () => {
  const NAME = 'greet-cors-api';

  it('holds a Deployment, Service, ConfigMap and HPA, all labelled and named consistently', () => {
    expect(k8sFiles).toEqual(expect.arrayContaining(['deployment.yaml', 'service.yaml']));
    for (const kind of ['Deployment', 'Service', 'ConfigMap', 'HorizontalPodAutoscaler']) {
      expect(ofKind(kind).map((doc) => doc.metadata?.name as unknown)).toEqual([NAME]);
    }
    for (const doc of k8sDocs) {
      expect(doc.metadata?.labels?.['app.kubernetes.io/name']).toBe(NAME);
    }
  });

  it('the Deployment selector matches its pod template, and uses the compose image', () => {
    const selector = (deployment.spec?.selector?.matchLabels ?? {}) as Obj;
    expect(Object.keys(selector).length).toBeGreaterThan(0);
    expect(deployment.spec?.template?.metadata?.labels).toMatchObject(selector);
    expect(podSpec.containers).toHaveLength(1);
    expect(container.image).toBe(api.image);
    expect(container.image).toMatch(/^greet-cors-api:\d+\.\d+\.\d+$/);
  });

  it('reads REDIS_URL from an optional Secret, never from the ConfigMap', () => {
    const entry = ((container.env ?? []) as Obj[]).find((e) => e.name === 'REDIS_URL');
    expect(entry?.valueFrom?.secretKeyRef).toEqual({
      name: 'greet-cors-api-redis',
      key: 'url',
      optional: true,
    });
    for (const map of configMaps) expect(Object.keys(map.data ?? {})).not.toContain('REDIS_URL');
    expect(KNOWN).toContain('REDIS_URL');
  });

  it('sets only variables the service knows, and they pass its validation as production', () => {
    const env = k8sEnv();
    expect(Object.keys(env).length).toBeGreaterThan(0);
    expect(Object.keys(env).filter((name) => !KNOWN.includes(name))).toEqual([]);
    expect(env.NODE_ENV).toBe('production');
    expect(env.CORS_ALLOWED_ORIGINS).toBeDefined();
    expectValidConfig(env, 'the Deployment environment (ConfigMap + env)');
    // Production origins come from the ConfigMap, not the demo's loopback default.
    expect(env.CORS_ALLOWED_ORIGINS).not.toMatch(/localhost|127\.0\.0\.1|\[::1\]/);
  });

  it('the container ports are the ports the service listens on, named http and metrics', () => {
    const port = Number(k8sEnv().PORT ?? DEFAULT_PORT);
    const metricsPort = Number(k8sEnv().METRICS_PORT ?? METRICS_DEFAULT_PORT);
    expect(containerPorts).toEqual([
      { name: 'http', containerPort: port, protocol: 'TCP' },
      { name: 'metrics', containerPort: metricsPort, protocol: 'TCP' },
    ]);
    expect(k8sEnv().HOST ?? '0.0.0.0').toBe('0.0.0.0');
    expect(k8sEnv().METRICS_ENABLED ?? 'true').toBe('true');
  });

  it('the pod annotations point Prometheus at the metrics port and path', () => {
    const annotations = (deployment.spec?.template?.metadata?.annotations ?? {}) as Obj;
    expect(annotations['prometheus.io/scrape']).toBe('true');
    expect(Number(annotations['prometheus.io/port'])).toBe(resolvePort('metrics'));
    expect(annotations['prometheus.io/path']).toBe('/metrics');
  });

  it('readiness probes /health/ready and liveness /health/live on the container port', () => {
    const port = Number(k8sEnv().PORT ?? DEFAULT_PORT);
    expect(container.readinessProbe?.httpGet?.path).toBe(READY);
    expect(container.livenessProbe?.httpGet?.path).toBe(LIVE);
    const probes = ['readinessProbe', 'livenessProbe', 'startupProbe']
      .map((name) => container[name] as Obj | undefined)
      .filter((probe): probe is Obj => probe !== undefined);
    for (const probe of probes) {
      expect(HEALTH_ROUTES).toContain(probe.httpGet?.path);
      expect(resolvePort(probe.httpGet?.port)).toBe(port);
    }
  });

  it("preStop is the kubelet's sleep action, and the grace period covers it plus SHUTDOWN_TIMEOUT_MS", () => {
    const shutdownMs = Number(k8sEnv().SHUTDOWN_TIMEOUT_MS ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
    const preStop = (container.lifecycle?.preStop ?? {}) as Obj;
    // No second process started in the container just to wait.
    expect(Object.keys(preStop)).toEqual(['sleep']);
    const sleepMs = Number(preStop.sleep?.seconds) * 1000;
    expect(sleepMs).toBeGreaterThanOrEqual(5000);
    expect(Number(podSpec.terminationGracePeriodSeconds) * 1000).toBeGreaterThan(
      sleepMs + shutdownMs,
    );
  });

  it('gets no service-link variables (names under its prefixes would look like typos)', () => {
    expect(podSpec.enableServiceLinks).toBe(false);
  });

  it('spreads the pods across nodes (strictly) and zones', () => {
    const spread = (podSpec.topologySpreadConstraints ?? []) as Obj[];
    const byKey = Object.fromEntries(spread.map((c) => [c.topologyKey as string, c]));
    expect(Object.keys(byKey).sort()).toEqual([
      'kubernetes.io/hostname',
      'topology.kubernetes.io/zone',
    ]);
    expect(byKey['kubernetes.io/hostname'].whenUnsatisfiable).toBe('DoNotSchedule');
    for (const constraint of spread) {
      expect(constraint.maxSkew).toBe(1);
      expect(constraint.nodeTaintsPolicy).toBe('Honor');
      expect(deployment.spec?.template?.metadata?.labels).toMatchObject(
        constraint.labelSelector?.matchLabels ?? { missing: 'selector' },
      );
    }
  });

  it('documents how ConfigMap edits reach running pods (a rollout restart)', () => {
    const text = readFileSync(path.join(K8S_DIR, 'configmap.yaml'), 'utf8');
    expect(text).toContain('kubectl rollout restart deployment/greet-cors-api');
  });

  it('runs non-root, without privilege escalation, on a read-only root filesystem', () => {
    const pod = (podSpec.securityContext ?? {}) as Obj;
    const ctr = (container.securityContext ?? {}) as Obj;
    const effective = { ...pod, ...ctr };
    expect(effective.runAsNonRoot).toBe(true);
    expect(effective.runAsUser).toBe(1000);
    expect(ctr.allowPrivilegeEscalation).toBe(false);
    expect(ctr.readOnlyRootFilesystem).toBe(true);
    expect(ctr.capabilities?.drop).toEqual(['ALL']);
    expect(ctr.capabilities?.add).toBeUndefined();
    expect(ctr.privileged ?? false).toBe(false);
    expect(effective.seccompProfile?.type).toBe('RuntimeDefault');
  });

  it('has cpu and memory requests and limits: the memory request covers the peak RSS', () => {
    const { requests, limits } = (container.resources ?? {}) as Obj;
    for (const resource of ['cpu', 'memory']) {
      expect(requests?.[resource]).toBeDefined();
      expect(limits?.[resource]).toBeDefined();
      expect(quantity(requests[resource])).toBeLessThanOrEqual(quantity(limits[resource]));
    }
    expect(quantity(requests.memory)).toBeGreaterThanOrEqual(PEAK_RSS_MIB * 2 ** 20);
    expect(quantity(limits.memory)).toBeGreaterThanOrEqual(PEAK_RSS_MIB * 1.5 * 2 ** 20);
  });

  it('leaves the replica count to the HPA, which keeps at least 2 of this Deployment on cpu', () => {
    // A `replicas` field would reset the HPA's count on every `kubectl apply`.
    expect(deployment.spec?.replicas).toBeUndefined();
    const hpa = ofKind('HorizontalPodAutoscaler')[0] ?? {};
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec?.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: deployment.metadata?.name,
    });
    expect(hpa.spec?.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec?.maxReplicas).toBeGreaterThanOrEqual(hpa.spec?.minReplicas);
    const cpu = ((hpa.spec?.metrics ?? []) as Obj[]).find(
      (m) => m.type === 'Resource' && m.resource?.name === 'cpu',
    );
    expect(cpu?.resource?.target).toEqual({ type: 'Utilization', averageUtilization: 70 });
  });

  it('the ClusterIP Service sends port 80 to the API port and names the metrics port', () => {
    const service = ofKind('Service')[0] ?? {};
    expect(service.spec?.type ?? 'ClusterIP').toBe('ClusterIP');
    expect(deployment.spec?.template?.metadata?.labels).toMatchObject(service.spec?.selector ?? {});
    expect(Object.keys(service.spec?.selector ?? {}).length).toBeGreaterThan(0);
    const ports = (service.spec?.ports ?? []) as Obj[];
    expect(ports.map((p) => String(p.name))).toEqual(['http', 'metrics']);
    expect(ports[0].port).toBe(80);
    expect(resolvePort(ports[0].targetPort)).toBe(Number(k8sEnv().PORT ?? DEFAULT_PORT));
    expect(resolvePort(ports[1].targetPort)).toBe(
      Number(k8sEnv().METRICS_PORT ?? METRICS_DEFAULT_PORT),
    );
  });

  it('the PodDisruptionBudget selects these pods and lets a drain evict one at a time', () => {
    const pdbs = ofKind('PodDisruptionBudget');
    expect(pdbs).toHaveLength(1);
    const [pdb] = pdbs;
    expect(deployment.spec?.template?.metadata?.labels).toMatchObject(
      pdb.spec?.selector?.matchLabels ?? { missing: 'selector' },
    );
    // maxUnavailable holds at any replica count; minAvailable: 1 would let 9 of 10 go at once.
    expect(pdb.spec?.maxUnavailable).toBe(1);
    expect(pdb.spec?.minAvailable).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// The real service with the deployment environments
// ---------------------------------------------------------------------------------------------

describe('dist/main.js with the deployment environment', () => {
  let service: ServiceProcess | undefined;
  let workDir: string | undefined;

  beforeEach(() => {
    // No .env files: the container's working directory has none either.
    workDir = mkdtempSync(path.join(tmpdir(), 'greet-deploy-'));
  });
  afterEach(() => {
    service?.kill();
    service = undefined;
    if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
    workDir = undefined;
  });

  const probePaths = () => [
    ...healthPathsIn(all(finalStage, 'HEALTHCHECK').join(' ')),
    ...healthPathsIn(((api.healthcheck?.test ?? []) as string[]).join(' ')),
    ...['readinessProbe', 'livenessProbe', 'startupProbe']
      .map((name) => (container[name] as Obj | undefined)?.httpGet?.path as string | undefined)
      .filter((p): p is string => p !== undefined),
  ];

  it.each([
    ['docker-compose api environment', () => composeApiEnv],
    ['Kubernetes ConfigMap + env', () => k8sEnv()],
  ])(
    'starts with the %s, answers every probe path, drains on SIGTERM and exits 0',
    async (_label, envOf) => {
      // The manifests' metrics port (9464) may be taken on a test machine: a free one stands in.
      const env: Env = { ...envOf(), METRICS_PORT: String(await freePort()) };
      service = await startService(env, { cwd: workDir });
      const base = service.url;
      const paths = [...new Set(probePaths())];
      expect(paths).toEqual(expect.arrayContaining([LIVE, READY]));
      for (const probe of paths) {
        expect({ probe, status: (await fetch(`${base}${probe}`)).status }).toEqual({
          probe,
          status: 200,
        });
      }
      // The configured front-end origin gets through a preflight for POST /greet.
      const origin = env.CORS_ALLOWED_ORIGINS.split(',')[0].trim();
      const preflight = await fetch(`${base}/greet`, {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'content-type',
        },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
      // The metrics listener is on (METRICS_ENABLED=true in both), where the annotations point.
      const metrics = await fetch(service.metricsUrl);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('http_server_request_duration_seconds_count');
      service.child.kill('SIGTERM');
      expect(await service.exited).toBe(0);
      expect(service.stdout()).not.toContain('Invalid configuration');
    },
    40_000,
  );
});
