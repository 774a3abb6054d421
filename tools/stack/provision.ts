import { execFileSync, spawnSync } from 'node:child_process';

/** True when `command` resolves on PATH. */
export function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

let aptUpdated = false;

// Output of installers and builds goes to stderr: stdout carries `stack up --json`.

/**
 * Installs a Debian package when its binary is missing. Our machines are Debian with
 * root; elsewhere this explains what to install instead of failing obscurely.
 */
export function ensureDebianPackage(binary: string, pkg: string, log: (line: string) => void): void {
  if (hasCommand(binary)) return;
  installDebianPackage(binary, pkg, log);
}

/** apt-get install of `pkg` (which provides `what`), or an error saying what to install. */
export function installDebianPackage(what: string, pkg: string, log: (line: string) => void): void {
  if (!hasCommand('apt-get') || process.getuid?.() !== 0) {
    throw new Error(
      `${what} is not installed; install the "${pkg}" package (Debian) or point the stack at an existing service`,
    );
  }
  log(`installing ${pkg} with apt-get (first run only)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 2, 2], env });
    aptUpdated = true;
  }
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], { stdio: ['ignore', 2, 2], env });
}

export function requireCommand(command: string, why: string): void {
  if (!hasCommand(command)) throw new Error(`${command} is required ${why} but is not on PATH`);
}
