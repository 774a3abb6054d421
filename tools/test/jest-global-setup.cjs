// Brings the real stack up once per jest run (reusing whatever already answers) and
// remembers which components this run started, so the teardown stops only those.
// Plain CommonJS: jest loads global setup outside the per-project ts-jest transform.
const { execFileSync } = require('node:child_process');
const { writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const stateFile = join(root, '.tally', 'jest-started-components.json');

module.exports = async function globalSetup() {
  if (process.env.TALLY_SKIP_STACK === '1') return;
  const out = execFileSync(process.execPath, [join(root, 'tools', 'bootstrap.mjs'), 'stack', 'up', '--json'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  const rows = JSON.parse(out.trim().split('\n').pop());
  const started = rows.filter((r) => r.state === 'started').map((r) => r.name);
  mkdirSync(join(root, '.tally'), { recursive: true });
  writeFileSync(stateFile, JSON.stringify(started));
};
