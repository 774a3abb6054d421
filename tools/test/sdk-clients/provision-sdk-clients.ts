import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { inputsHash, isStampCurrent, writeStamp } from '../../stack/cache-stamp';
import { ensureDebianPackage } from '../../stack/provision';
import { CACHE_DIR } from '../../stack/stack-paths';

/**
 * Where the clients go; the tests find them there through `SDK_CLIENTS` of libs/testing
 * (tooling may not import the testing library, so the two name the same folder).
 */
const PYTHON_VENV = join(CACHE_DIR, 'python-sdk');
const PYTHON = join(PYTHON_VENV, 'bin', 'python');

/**
 * What the real-SDK tests run that no one here wrote, installed once per machine:
 * Debian's Chromium (for analytics.js, driven by playwright-core) and a virtualenv with
 * Segment's Python library from PyPI. Output goes to stderr, like the stack's installers.
 */
export function provisionSdkClients(log: (line: string) => void = (l) => process.stderr.write(`[tally] ${l}\n`)): void {
  ensureDebianPackage('chromium', 'chromium', log);
  const requirements = join(__dirname, 'requirements.txt');
  const stamp = join(CACHE_DIR, 'python-sdk.stamp');
  const hash = inputsHash([requirements]);
  if (isStampCurrent(stamp, hash) && existsSync(PYTHON)) return;
  log('creating the Python virtualenv for the real-SDK tests (first run only)…');
  rmSync(PYTHON_VENV, { recursive: true, force: true });
  mkdirSync(CACHE_DIR, { recursive: true });
  const quiet = { stdio: ['ignore', 2, 2] as ['ignore', 2, 2] };
  execFileSync('python3', ['-m', 'venv', PYTHON_VENV], quiet);
  execFileSync(PYTHON, ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', '-r', requirements], quiet);
  writeStamp(stamp, hash);
}
