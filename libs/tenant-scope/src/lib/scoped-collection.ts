import type {
  BulkWriteOptions,
  Collection,
  CreateIndexesOptions,
  Db,
  DeleteResult,
  Document,
  Filter,
  FindCursor,
  FindOptions,
  IndexDescription,
  InsertManyResult,
  InsertOneResult,
  OptionalUnlessRequiredId,
  UpdateFilter,
  UpdateResult,
  WithId,
} from 'mongodb';
import type { TenantFilter, TenantOwned } from './tenant-filter.util';

/**
 * The part of a MongoDB collection the stores use, taking filters of type `F`; cursors
 * and results are the driver's own. Documents are inserted whole, `_id` included.
 */
interface ScopedCollection<T extends Document, F> {
  find(filter: F, options?: FindOptions): FindCursor<WithId<T>>;
  findOne(filter: F): Promise<WithId<T> | null>;
  insertOne(document: T): Promise<InsertOneResult<T>>;
  insertMany(documents: readonly T[], options?: BulkWriteOptions): Promise<InsertManyResult<T>>;
  updateOne(filter: F, update: UpdateFilter<T>): Promise<UpdateResult<T>>;
  deleteMany(filter: F): Promise<DeleteResult>;
  createIndexes(indexes: IndexDescription[], options?: CreateIndexesOptions): Promise<string[]>;
}

/** A collection of tenant-owned documents: every filter is a `TenantFilter`, so every query names its tenant. */
export type TenantCollection<T extends TenantOwned> = ScopedCollection<T, TenantFilter<T>>;

/**
 * A collection read across tenants on purpose (a key hash to its tenant, the list of
 * tenants): any filter goes, and the name says so where the collection is opened.
 */
export type PlatformCollection<T extends Document> = ScopedCollection<T, Filter<T>>;

export function tenantCollection<T extends TenantOwned>(db: Db, name: string): TenantCollection<T> {
  return scoped(db.collection<T>(name));
}

export function platformCollection<T extends Document>(db: Db, name: string): PlatformCollection<T> {
  return scoped(db.collection<T>(name));
}

function scoped<T extends Document>(collection: Collection<T>): ScopedCollection<T, Filter<T>> {
  // A whole document, `_id` included, is all `OptionalUnlessRequiredId` can ask for.
  type Whole = OptionalUnlessRequiredId<T>;
  return {
    find: (filter, options) => collection.find(filter, options),
    findOne: (filter) => collection.findOne(filter),
    insertOne: (document) => collection.insertOne(document as Whole),
    insertMany: (documents, options) => collection.insertMany(documents as readonly Whole[], options),
    updateOne: (filter, update) => collection.updateOne(filter, update),
    deleteMany: (filter) => collection.deleteMany(filter),
    createIndexes: (indexes, options) => collection.createIndexes(indexes, options),
  };
}
