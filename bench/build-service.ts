import { spawn } from 'node:child_process';
import { trackChild } from './child-registry';
import { REPO_ROOT } from './targets';

export interface BuildResult {
  ok: boolean;
  output: string;
}

/** `npm run build` in the repository, its output captured so that only a failure is shown. */
export function buildService(): Promise<BuildResult> {
  return new Promise((resolve) => {
    // Its own process group, so an interrupted run also ends the sh and tsc that npm starts.
    const child = spawn('npm', ['run', 'build'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    trackChild(child, { group: true });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => resolve({ ok: false, output: error.message }));
    child.on('close', (code) => resolve({ ok: code === 0, output: output.trim() }));
  });
}
