import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { RunReport } from './results-model';
import { REPO_ROOT } from './targets';

/** bench/results/ is gitignored: results describe one machine at one moment, not the code. */
const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');

/** Writes the report and returns its path relative to the repository root, for printing. */
export function writeLatestResults(report: RunReport): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, 'latest.json');
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  return relative(REPO_ROOT, path);
}
