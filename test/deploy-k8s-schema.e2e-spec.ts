/**
 * deploy/k8s/*.yaml against the Kubernetes API's own schemas (kubernetes-models, generated from
 * the API's OpenAPI document): every object has a known apiVersion and kind, and its fields have
 * the right types, required fields and enum values. What the schemas do not catch: unknown or
 * misspelt fields (they allow extra properties; the API server's strict field validation refuses
 * them) and rules only the API server or a controller enforces. The behaviour these files
 * promise is checked against the service itself in deploy-manifests.e2e-spec.ts.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

const ROOT = path.resolve(__dirname, '..');
const K8S_DIR = path.join(ROOT, 'deploy/k8s');
const VALIDATOR = path.join(__dirname, 'helpers/k8s-schema.mjs');

type Obj = Record<string, unknown>;
interface Report {
  apiVersion: string;
  kind: string;
  name?: string;
  errors: string[];
}

/** Runs the ESM validator in node (jest cannot load kubernetes-models itself). */
function validate(objects: unknown[]): Report[] {
  const result = spawnSync(process.execPath, [VALIDATOR], {
    cwd: ROOT,
    input: JSON.stringify(objects),
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (result.status !== 0) {
    throw new Error(
      `k8s-schema.mjs exited ${result.status}: ${result.stderr || result.error?.message}`,
    );
  }
  return JSON.parse(result.stdout) as Report[];
}

const manifests = readdirSync(K8S_DIR)
  .filter((file) => /\.ya?ml$/.test(file))
  .sort()
  .flatMap((file) =>
    parseAllDocuments(readFileSync(path.join(K8S_DIR, file), 'utf8'))
      .map((doc) => {
        if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
        return doc.toJS() as Obj | null;
      })
      .filter((object): object is Obj => object !== null)
      .map((object) => ({ file, object })),
  );

describe('deploy/k8s against the Kubernetes schemas', () => {
  let reports: Report[];
  beforeAll(() => {
    reports = validate(manifests.map((m) => m.object));
  });

  it('holds the objects the deployment needs', () => {
    expect(reports.map((r) => r.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'Service',
    ]);
  });

  it.each(manifests.map(({ file, object }, index) => [file, String(object.kind), index] as const))(
    '%s: the %s is valid',
    (_file, _kind, index) => {
      expect(reports[index].errors).toEqual([]);
    },
  );

  // The validator is no rubber stamp: the mistakes it must catch, one per broken copy.
  describe('rejects broken copies of the manifests', () => {
    const copy = (kind: string) =>
      structuredClone(manifests.find((m) => m.object.kind === kind)!.object) as Record<
        string,
        any // eslint-disable-line @typescript-eslint/no-explicit-any
      >;
    const broken: [string, () => unknown, RegExp][] = [
      [
        'a Deployment without a selector',
        () => {
          const d = copy('Deployment');
          delete d.spec.selector;
          return d;
        },
        /\/spec must have required property '?selector/,
      ],
      [
        'a container port given as a string',
        () => {
          const d = copy('Deployment');
          d.spec.template.spec.containers[0].ports[0].containerPort = '5000';
          return d;
        },
        /containerPort must be integer/,
      ],
      [
        'a probe with a string period',
        () => {
          const d = copy('Deployment');
          d.spec.template.spec.containers[0].readinessProbe.periodSeconds = '5s';
          return d;
        },
        /readinessProbe\/periodSeconds must be integer/,
      ],
      [
        'a ConfigMap value that is not a string',
        () => {
          const c = copy('ConfigMap');
          c.data.BODY_MAX_DEPTH = 32;
          return c;
        },
        /\/data\/BODY_MAX_DEPTH must be string/,
      ],
      [
        'a Service port without its port number',
        () => {
          const s = copy('Service');
          delete s.spec.ports[0].port;
          return s;
        },
        /\/spec\/ports\/0 must have required property '?port/,
      ],
      [
        'an HPA without maxReplicas',
        () => {
          const h = copy('HorizontalPodAutoscaler');
          delete h.spec.maxReplicas;
          return h;
        },
        /\/spec must have required property '?maxReplicas/,
      ],
      [
        'an apiVersion the API does not serve (policy/v1beta2)',
        () => ({ ...copy('PodDisruptionBudget'), apiVersion: 'policy/v1beta2' }),
        /no schema for apiVersion "policy\/v1beta2"/,
      ],
    ];
    let brokenReports: Report[];
    beforeAll(() => {
      brokenReports = validate(broken.map(([, make]) => make()));
    });

    it.each(broken.map(([label, , expected], index) => [label, expected, index] as const))(
      '%s',
      (_label, expected, index) => {
        expect(brokenReports[index].errors.join('\n')).toMatch(expected);
      },
    );
  });
});
