import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { exitWhenFlushed } from '../cli/exit-when-flushed';
import { REPO_ROOT, TALLY_HOME } from '../stack/stack-paths';
import { provisionSdkClients } from './sdk-clients/provision-sdk-clients';

/**
 * `npm test`: builds the apps (the end-to-end suite runs them as processes, as in
 * production), installs the SDK clients the real-SDK tests run, then runs every jest project in one run — jest's global setup brings
 * up the real stack — and ends with the plain line `tests: N passed, M failed`.
 */
export const RESULTS_FILE = join(TALLY_HOME, 'test-results.json');

const run = (command: string, args: string[]): number => {
  const result = spawnSync(command, args, {
    cwd: REPO_ROOT,
    stdio: 'inherit',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
  });
  return result.status ?? 1;
};

function main(): number {
  const bin = (name: string) => join(REPO_ROOT, 'node_modules', '.bin', name);
  if (run(bin('nx'), ['run-many', '-t', 'build', '--projects=tag:type:app', '--outputStyle=static']) !== 0) {
    process.stdout.write('tests: 0 passed, 1 failed\n');
    return 1;
  }
  try {
    provisionSdkClients();
  } catch (error) {
    process.stderr.write(`[tally] could not install the SDK clients the tests run: ${String(error)}\n`);
    process.stdout.write('tests: 0 passed, 1 failed\n');
    return 1;
  }
  rmSync(RESULTS_FILE, { force: true });
  const jestStatus = run(bin('jest'), [
    '--ci',
    '--runInBand',
    // A leaked connection must not turn a finished run into a CI time-out.
    '--forceExit',
    '--json',
    `--outputFile=${RESULTS_FILE}`,
    ...process.argv.slice(2),
  ]);
  if (!existsSync(RESULTS_FILE)) {
    process.stdout.write('tests: 0 passed, 1 failed\n');
    return jestStatus || 1;
  }
  const results = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numRuntimeErrorTestSuites: number;
  };
  // A suite that fails to load has no failed *tests*, but it is a failure all the same.
  const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
  process.stdout.write(`tests: ${results.numPassedTests} passed, ${failed} failed\n`);
  return jestStatus !== 0 || failed > 0 ? 1 : 0;
}

exitWhenFlushed(main());
