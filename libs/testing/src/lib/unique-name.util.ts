import { randomBytes } from 'node:crypto';

/** A name no other test run uses, so tests sharing one real store never see each other's data. */
export const uniqueName = (prefix: string): string =>
  `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
