import { exitWhenFlushed } from '../cli/exit-when-flushed';
import { stackDown, stackLogs, stackReset, stackStatus, stackUp, type ComponentStatus } from './stack';
import { loadStackConfig } from './stack-config';

const USAGE = `usage: npm run stack -- <command> [component…] [--json]

commands:
  up       provision (cached) and start what is not already answering, wait until ready
  down     stop what the stack started (by PID), leave anything else alone
  reset    stop what the stack started and delete its data (a clean start; FerretDB slows as data grows)
  status   show each component: running (ours), external (someone else's), stopped
  logs     print the last lines of each component's log (--lines N, default 50)

components: redis, mongodb, kafka, prometheus (default: all)
addresses come from KAFKA_BROKERS, REDIS_URL, MONGO_URL, PROMETHEUS_URL`;

function table(rows: readonly ComponentStatus[]): string {
  return rows
    .map((r) => `  ${r.name.padEnd(11)} ${r.state.padEnd(9)} ${r.address}${r.pid ? `  (pid ${r.pid})` : ''}`)
    .join('\n');
}

async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const linesAt = argv.indexOf('--lines');
  const lines = linesAt >= 0 ? Number(argv[linesAt + 1]) : 50;
  const positional = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--lines');
  const [command, ...names] = positional;
  // Progress goes to stderr so `--json` output on stdout stays machine-readable.
  const log = (line: string) => process.stderr.write(`[stack] ${line}\n`);
  const config = loadStackConfig(process.env);

  switch (command) {
    case 'up': {
      const rows = await stackUp(config, names, log);
      process.stdout.write(json ? `${JSON.stringify(rows)}\n` : `${table(rows)}\n`);
      return 0;
    }
    case 'down':
      await stackDown(config, names, log);
      return 0;
    case 'reset':
      await stackReset(config, names, log);
      return 0;
    case 'status': {
      const rows = await stackStatus(config);
      process.stdout.write(json ? `${JSON.stringify(rows)}\n` : `${table(rows)}\n`);
      return 0;
    }
    case 'logs':
      process.stdout.write(`${stackLogs(config, names, lines)}\n`);
      return 0;
    default:
      process.stderr.write(`${USAGE}\n`);
      return command === undefined || command === 'help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => exitWhenFlushed(code),
  (error: unknown) => {
    process.stderr.write(`[stack] ${error instanceof Error ? error.message : String(error)}\n`);
    exitWhenFlushed(1);
  },
);
