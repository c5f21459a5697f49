/**
 * Validates Kubernetes objects against the Kubernetes API's schemas, as compiled into validators
 * by the kubernetes-models package (a dev dependency). That package is ESM-only, which jest's
 * module system cannot load, so specs run this file with node instead: a JSON array of objects
 * on stdin, a JSON array of { apiVersion, kind, name, errors } on stdout, in the same order.
 * An object whose apiVersion and kind have no schema gets an error too.
 */
import { readFileSync } from 'node:fs';

const objects = JSON.parse(readFileSync(0, 'utf8'));
const reports = [];
for (const object of objects) {
  const apiVersion = String(object?.apiVersion ?? '');
  const kind = String(object?.kind ?? '');
  // Core objects (apiVersion "v1") live under kubernetes-models/v1, the others under their group.
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const specifier = `kubernetes-models/${group === '' ? '' : `${group}/`}${version}/${kind}`;
  let Model;
  try {
    Model = /^[A-Za-z0-9.\-/]+$/.test(specifier) ? (await import(specifier))[kind] : undefined;
  } catch {
    Model = undefined;
  }
  let errors = [];
  if (typeof Model !== 'function') {
    errors = [`no schema for apiVersion "${apiVersion}", kind "${kind}"`];
  } else {
    try {
      new Model(object).validate();
    } catch (error) {
      errors = Array.isArray(error?.errors)
        ? error.errors.map(
            (e) =>
              `${e.instancePath || '/'} ${e.message ?? `${e.keyword} ${JSON.stringify(e.params)}`}`,
          )
        : [String(error?.message ?? error)];
    }
  }
  reports.push({ apiVersion, kind, name: object?.metadata?.name, errors });
}
process.stdout.write(JSON.stringify(reports));
