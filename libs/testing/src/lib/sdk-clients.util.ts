import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const CACHE_DIR = join(resolve(__dirname, '..', '..', '..', '..'), '.tally', 'cache');

/**
 * The client libraries no one here wrote that the real-SDK tests run, as `npm test`
 * installs them (tools/test/sdk-clients): Debian's Chromium for analytics.js, and a
 * virtualenv holding Segment's Python library.
 */
export const SDK_CLIENTS = {
  chromium: '/usr/bin/chromium',
  pythonVenv: join(CACHE_DIR, 'python-sdk'),
  python: join(CACHE_DIR, 'python-sdk', 'bin', 'python'),
} as const;

/** Throws with what to run when a client is missing (a test run outside `npm test`). */
export function requireSdkClient(path: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm test\` once, which installs the SDK clients`);
  return path;
}
