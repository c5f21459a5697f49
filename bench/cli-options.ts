import { parseArgs } from 'node:util';
import { TARGETS, TargetName, isTargetName } from './targets';

export interface CliOptions {
  build: boolean;
  durationSec: number;
  warmupSec: number;
  connections: number;
  coldStarts: number;
  targets: TargetName[];
}

export const USAGE = `Usage: npm run bench -- [options]

  --duration <s>      measured seconds per scenario per target (default 5)
  --warmup <s>        unrecorded warm-up seconds before each scenario (default 2)
  --connections <n>   concurrent connections (default 50)
  --cold-starts <n>   starts per target for the cold-start median (default 5)
  --targets <a,b>     subset of: ${TARGETS.map((t) => t.name).join(', ')}
  --no-build          use the existing dist/ instead of running npm run build
  --help              show this text
`;

function positiveNumber(flag: string, raw: string, integer: boolean): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`--${flag} expects a ${integer ? 'whole ' : ''}number ≥ 0, got "${raw}"`);
  }
  return value;
}

/** Returns undefined when --help was asked for. Throws with a readable message on bad input. */
export function parseCliOptions(argv: string[]): CliOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      duration: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '2' },
      connections: { type: 'string', default: '50' },
      'cold-starts': { type: 'string', default: '5' },
      targets: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;

  const names = values.targets?.split(',').map((name) => name.trim()) ?? TARGETS.map((t) => t.name);
  const unknown = names.filter((name) => !isTargetName(name));
  if (unknown.length > 0) throw new Error(`unknown target(s): ${unknown.join(', ')}`);

  const options: CliOptions = {
    build: !values['no-build'],
    durationSec: positiveNumber('duration', values.duration, false),
    warmupSec: positiveNumber('warmup', values.warmup, false),
    connections: positiveNumber('connections', values.connections, true),
    coldStarts: positiveNumber('cold-starts', values['cold-starts'], true),
    // Keep the canonical order whatever order was typed, so tables always read the same way.
    targets: TARGETS.map((t) => t.name).filter((name) => names.includes(name)),
  };
  if (options.durationSec <= 0) throw new Error('--duration must be greater than 0');
  if (options.connections < 1) throw new Error('--connections must be at least 1');
  if (options.coldStarts < 1) throw new Error('--cold-starts must be at least 1');
  return options;
}
