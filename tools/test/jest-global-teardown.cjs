// Stops what the global setup started — nothing that was already running — unless
// TALLY_KEEP_STACK=1 asks to keep it for the next run.
const { execFileSync } = require('node:child_process');
const { existsSync, readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const stateFile = join(root, '.tally', 'jest-started-components.json');

module.exports = async function globalTeardown() {
  if (!existsSync(stateFile)) return;
  const started = JSON.parse(readFileSync(stateFile, 'utf8'));
  rmSync(stateFile, { force: true });
  if (process.env.TALLY_KEEP_STACK === '1' || started.length === 0) return;
  execFileSync(process.execPath, [join(root, 'tools', 'bootstrap.mjs'), 'stack', 'down', ...started], {
    cwd: root,
    stdio: 'inherit',
  });
};
