import { parseArgs } from 'node:util';
import { TARGET_NAMES, TargetName, isTargetName } from './targets';

export interface CliOptions {
  rounds: number;
  /** Measured seconds per scenario per target per round (wrk takes whole seconds). */
  secs: number;
  /** Unrecorded seconds per scenario per target before the first round. */
  warmupSec: number;
  connections: number;
  threads: number;
  targets: TargetName[];
  json: boolean;
  build: boolean;
  mixed: boolean;
  /** Also keep the mixed load going to 60 s and report where RSS settles. */
  settle: boolean;
  cold: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]

  --rounds <n>        rounds; each runs every scenario against every target (default 6)
  --secs <s>          measured seconds per scenario per target per round (default 3)
  --warmup <s>        unrecorded seconds per scenario per target before round 1 (default 3)
  --connections <n>   wrk connections (default 50)
  --threads <n>       wrk threads (default 1)
  --targets <a,b>     subset of: ${TARGET_NAMES.join(', ')}
  --json              print the whole result as JSON on stdout instead of tables
  --no-build          use the existing dist/ instead of running npm run build
  --skip-mixed        skip the 20 s mixed-load memory check
  --settle            mixed load: also keep loading to 60 s and report RSS there
  --skip-cold         skip the paired cold-start runs
  --help              show this text
`;

function wholeNumber(flag: string, raw: string, min: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`--${flag} expects a whole number ≥ ${min}, got "${raw}"`);
  }
  return value;
}

/** Returns undefined when --help was asked for. Throws with a readable message on bad input. */
export function parseCliOptions(argv: string[]): CliOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      rounds: { type: 'string', default: '6' },
      secs: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '50' },
      threads: { type: 'string', default: '1' },
      targets: { type: 'string' },
      json: { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      'skip-mixed': { type: 'boolean', default: false },
      settle: { type: 'boolean', default: false },
      'skip-cold': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;

  const names = values.targets?.split(',').map((name) => name.trim()) ?? [...TARGET_NAMES];
  const unknown = names.filter((name) => !isTargetName(name));
  if (unknown.length > 0) throw new Error(`unknown target(s): ${unknown.join(', ')}`);

  const options: CliOptions = {
    rounds: wholeNumber('rounds', values.rounds, 1),
    secs: wholeNumber('secs', values.secs, 1),
    warmupSec: wholeNumber('warmup', values.warmup, 0),
    connections: wholeNumber('connections', values.connections, 1),
    threads: wholeNumber('threads', values.threads, 1),
    // The canonical order whatever order was typed, so tables always read the same way.
    targets: TARGET_NAMES.filter((name) => names.includes(name)),
    json: values.json,
    build: !values['no-build'],
    mixed: !values['skip-mixed'],
    settle: values.settle,
    cold: !values['skip-cold'],
  };
  if (options.threads > options.connections) {
    throw new Error('--threads must not exceed --connections (wrk gives each thread a share)');
  }
  return options;
}
