import { stackDown } from '../stack/stack';
import { loadStackConfig } from '../stack/stack-config';
import { APP_NAMES, LocalApp, supervisorProcess } from './local-apps';

/**
 * `npm stop`: asks a running `npm start` to shut down what it started, then stops any
 * app or stack component this checkout started (by PID) that is still up — nothing else.
 */
async function main(): Promise<void> {
  const log = (line: string) => process.stdout.write(`[tally] ${line}\n`);
  if (await supervisorProcess().stop(60_000)) log('npm start: stopped');
  for (const name of APP_NAMES) {
    if (await new LocalApp(name, 0).process.stop()) log(`${name}: stopped`);
  }
  await stackDown(loadStackConfig(process.env), [], log);
}

main().catch((error: unknown) => {
  process.stderr.write(`[tally] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
