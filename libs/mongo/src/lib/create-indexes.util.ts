import type { Collection, IndexDescription } from 'mongodb';

/**
 * Creates a collection's indexes, one `createIndexes` command each, in order. One command
 * for all of them is what MongoDB prefers, but FerretDB 1.24 panics and drops the
 * connection when such a command lists several indexes and some of them already exist
 * ("slice bounds out of range" in its log; seen on our stack, where every app start asks
 * again). Index creation runs once per process, so the extra round trips cost nothing.
 */
export async function createIndexesOneByOne(
  collection: Pick<Collection, 'createIndexes'>,
  indexes: readonly IndexDescription[],
): Promise<void> {
  for (const index of indexes) await collection.createIndexes([{ ...index }]);
}
