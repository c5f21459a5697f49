import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  capYoungGeneration,
  SEMI_SPACE_CAP_MIB,
  semiSpaceSetByLauncher,
} from './young-generation-cap';

describe('SEMI_SPACE_CAP_MIB', () => {
  it('is the size npm start (and so the image) passes to node', () => {
    const manifest = JSON.parse(
      readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'),
    ) as { scripts: Record<string, string> };
    expect(manifest.scripts.start).toContain(`--max-semi-space-size=${SEMI_SPACE_CAP_MIB} `);
  });
});

describe('semiSpaceSetByLauncher', () => {
  it.each([
    [['--max-semi-space-size=8'], undefined],
    [['--max_semi_space_size=4'], undefined],
    [['--max-semi-space-size', '8'], undefined],
    [[], '--max-semi-space-size=16'],
    [['--enable-source-maps'], '--inspect  --max-semi-space-size=2 '],
  ])('sees the flag in %j / NODE_OPTIONS %j', (execArgv, nodeOptions) => {
    expect(semiSpaceSetByLauncher(execArgv, nodeOptions)).toBe(true);
  });

  it.each([
    [[], undefined],
    [['--max-old-space-size=512'], ''],
    [['--max-semi-space-size-x=8'], '--semi-space-growth-factor=1'],
  ])('does not see it in %j / NODE_OPTIONS %j', (execArgv, nodeOptions) => {
    expect(semiSpaceSetByLauncher(execArgv, nodeOptions)).toBe(false);
  });

  it('leaves the young generation alone when the launcher sized it', () => {
    expect(capYoungGeneration(SEMI_SPACE_CAP_MIB, true)).toBe(false);
  });
});

// A fresh Node process each (the test runner's own young generation has long grown): it allocates
// for 2 s with a steady survivor rate, as a server under load does, and prints its new space.
// Each turn allocates 20,000 small objects, a batch of requests' worth: the cap is applied
// between turns (a gc observer's callback), and a turn allocating more than a semi-space can let
// V8 double it once more first (100,000 objects a turn did, once, in CI: 26.75 MiB).
const CHILD = `
import { capYoungGeneration } from ${JSON.stringify(path.join(__dirname, 'young-generation-cap.ts'))};
import { getHeapSpaceStatistics } from 'node:v8';
const installed = process.argv[1] === 'cap' ? capYoungGeneration() : false;
let kept = [];
const until = Date.now() + 2000;
const step = () => {
  for (let i = 0; i < 20000; i++) {
    const item = { i, text: 'item ' + i, pair: [i, i] };
    if (i % 50 === 0) kept.push(item);
  }
  if (kept.length > 20000) kept = kept.slice(10000);
  if (Date.now() < until) setImmediate(step);
  else {
    const space = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    console.log(JSON.stringify({ installed, newSpaceMib: space.space_size / 1048576 }));
  }
};
step();
`;

async function runChild(
  mode: 'cap' | 'none',
): Promise<{ installed: boolean; newSpaceMib: number }> {
  // Node 24 strips the module's types itself; --no-warnings: the file has no package "type".
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--no-warnings', '--input-type=module', '-e', CHILD, mode],
    { env: { PATH: process.env.PATH ?? '' } },
  );
  return JSON.parse(stdout) as { installed: boolean; newSpaceMib: number };
}

describe('capYoungGeneration in a fresh process', () => {
  it('holds the new space at two cap-sized semi-spaces where V8 alone grows it past them', async () => {
    const [capped, free] = await Promise.all([runChild('cap'), runChild('none')]);
    // The same allocation without the cap: V8 grows the young generation past the cap, so the
    // capped figure below is the cap's doing.
    expect(free.installed).toBe(false);
    expect(free.newSpaceMib).toBeGreaterThan(2 * SEMI_SPACE_CAP_MIB);
    expect(capped.installed).toBe(true);
    expect(capped.newSpaceMib).toBeLessThanOrEqual(2 * SEMI_SPACE_CAP_MIB);
  }, 20_000);
});
