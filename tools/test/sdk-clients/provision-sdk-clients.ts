import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { inputsHash, isStampCurrent, writeStamp } from '../../stack/cache-stamp';
import { ensureDebianPackage } from '../../stack/provision';
import { CACHE_DIR } from '../../stack/stack-paths';
import { SDK_CLIENTS } from '@tally/testing';

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
  if (isStampCurrent(stamp, hash) && existsSync(SDK_CLIENTS.python)) return;
  log('creating the Python virtualenv for the real-SDK tests (first run only)…');
  rmSync(SDK_CLIENTS.pythonVenv, { recursive: true, force: true });
  mkdirSync(CACHE_DIR, { recursive: true });
  const quiet = { stdio: ['ignore', 2, 2] as ['ignore', 2, 2] };
  execFileSync('python3', ['-m', 'venv', SDK_CLIENTS.pythonVenv], quiet);
  execFileSync(
    SDK_CLIENTS.python,
    ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', '-r', requirements],
    quiet,
  );
  writeStamp(stamp, hash);
}
