import { parseArgs } from 'node:util';
import { killAllChildrenNow } from './child-registry';
import { pinRunnerAndPlanServers } from './cpu-pinning';
import { startServer, waitUntilHealthy } from './server-process';
import { TARGETS, TARGET_NAMES, isTargetName } from './targets';
import { Align, formatTable } from './text-table';
import { HOSTILE_CLIENTS, UnderAttackResult, runUnderAttack } from './under-attack';

/**
 * `npm run bench:attack`: the hostile bodies of issue 9, first each alone, then a greeting client
 * while HOSTILE_CLIENTS clients loop them, per target, one target at a time. Run after
 * `npm run build`; `-- --targets a,b --secs s`.
 */
const USAGE = `Usage: npm run bench:attack -- [--targets a,b] [--secs s]

  --targets <a,b>   subset of: ${TARGET_NAMES.join(', ')} (default service,nest-enable-cors)
  --secs <s>        seconds of the greeting client under attack (default 10)
`;

const fixed = (value: number) => value.toFixed(1);

function table(name: string, result: UnderAttackResult): string {
  const alone = formatTable(
    ['hostile body alone', 'KiB', 'status', 'mean ms', 'max ms'],
    result.alone.map((a) => [
      a.label,
      fixed(a.bytes / 1024),
      String(a.status ?? '–'),
      fixed(a.meanMs),
      fixed(a.maxMs),
    ]),
    ['left', ...Array<Align>(4).fill('right')],
  );
  const { legit, hostile } = result;
  const statuses = Object.entries(hostile.statusCounts)
    .map(([status, count]) => `${status}×${count}`)
    .join(' ');
  return [
    `${name}`,
    alone,
    `greeting under ${HOSTILE_CLIENTS} hostile clients, ${result.seconds} s: ${legit.requests} ` +
      `requests, p50 ${fixed(legit.p50Ms)} ms, p99 ${fixed(legit.p99Ms)} ms, max ` +
      `${fixed(legit.maxMs)} ms, non-2xx ${legit.non2xx}; hostile: ${hostile.requests} requests, ` +
      `mean ${fixed(hostile.meanMs)} ms, ${statuses}`,
  ].join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    strict: true,
    options: {
      targets: { type: 'string', default: 'service,nest-enable-cors' },
      secs: { type: 'string', default: '10' },
      help: { type: 'boolean', default: false },
    },
  });
  const names = values.targets.split(',').map((n) => n.trim());
  const seconds = Number(values.secs);
  if (values.help || !names.every(isTargetName) || !(seconds > 0)) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }
  process.on('exit', killAllChildrenNow);
  const pinning = pinRunnerAndPlanServers();
  for (const name of names.filter(isTargetName)) {
    const server = await startServer(TARGETS[name], pinning, `${name}.attack`);
    try {
      await waitUntilHealthy(server, server.spawnedAt);
      const result = await runUnderAttack(server.port, seconds);
      process.stdout.write(`${table(name, result)}\n\n`);
    } finally {
      await server.stop();
    }
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    killAllChildrenNow();
    process.stderr.write(`bench:attack: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
