import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * A build or download is redone only when its inputs change: the stamp file holds a
 * hash of the input files, written after the work succeeded.
 */
export function inputsHash(files: readonly string[]): string {
  const hash = createHash('sha256');
  for (const file of files) hash.update(file).update(readFileSync(file));
  return hash.digest('hex');
}

export const isStampCurrent = (stampFile: string, hash: string): boolean =>
  existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === hash;

export const writeStamp = (stampFile: string, hash: string): void => writeFileSync(stampFile, `${hash}\n`);
