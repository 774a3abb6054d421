import { join, resolve } from 'node:path';

/** Everything the stack downloads, builds or writes lives under one git-ignored folder. */
export const REPO_ROOT = resolve(__dirname, '..', '..');
export const TALLY_HOME = join(REPO_ROOT, '.tally');
export const CACHE_DIR = join(TALLY_HOME, 'cache');
export const RUN_DIR = join(TALLY_HOME, 'stack');

export const runDirOf = (component: string): string => join(RUN_DIR, component);
