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
  const json = out
    .split('\n')
    .reverse()
    .find((line) => line.startsWith('['));
  if (json === undefined) throw new Error(`stack up printed no status line; its output was:\n${out}`);
  const rows = JSON.parse(json);
  const started = rows.filter((r) => r.state === 'started').map((r) => r.name);
  mkdirSync(join(root, '.tally'), { recursive: true });
  writeFileSync(stateFile, JSON.stringify(started));
};
