#!/usr/bin/env node
// Entry point of `npm start|stop|test|run stack`. Plain Node with no dependencies,
// because on a fresh clone nothing is installed yet: it installs the locked
// dependencies when they are missing or stale, then hands over to the TypeScript
// tool (run with tsx) that does the work.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tools = {
  start: 'tools/dev/start.ts',
  stop: 'tools/dev/stop.ts',
  test: 'tools/test/run-tests.ts',
  stack: 'tools/stack/cli.ts',
  tenant: 'tools/tenant/cli.ts',
  bench: 'tools/bench/run-bench.ts',
};

const [command, ...args] = process.argv.slice(2);
if (!(command in tools)) {
  process.stderr.write(`usage: node tools/bootstrap.mjs ${Object.keys(tools).join('|')} [args…]\n`);
  process.exit(2);
}

function dependenciesAreCurrent() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(marker)) return false;
  return statSync(marker).mtimeMs >= statSync(join(root, 'package-lock.json')).mtimeMs;
}

if (!dependenciesAreCurrent()) {
  process.stderr.write('[tally] installing dependencies (npm ci)…\n');
  const install = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (install.status !== 0) process.exit(install.status ?? 1);
}

const tsx = join(root, 'node_modules', '.bin', 'tsx');
const child = spawn(tsx, ['--tsconfig', join(root, 'tsconfig.json'), join(root, tools[command]), ...args], {
  cwd: root,
  stdio: 'inherit',
});
// Ctrl-C reaches the whole foreground process group, the tool included: this process
// only waits for the tool to finish its own shutdown. A SIGTERM sent to us alone is
// passed on.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
