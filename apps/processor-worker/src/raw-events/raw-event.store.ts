import { Inject, Injectable } from '@nestjs/common';
import { MongoBulkWriteError, type Db } from 'mongodb';
import { RAW_EVENTS_COLLECTION, RAW_EVENTS_INDEXES, idsByTenant, type RawEventDocument } from '@tally/analytics-store';
import { MONGO_DB, createIndexesOneByOne } from '@tally/mongo';
import { tenantCollection, tenantFilter, type TenantCollection } from '@tally/tenant-scope';

const DUPLICATE_KEY = 11000;
/**
 * Write errors that say the document itself can never be stored (MongoDB error codes):
 * only these dead-letter an event. Any other per-document error (a lock timeout, an
 * interrupted write) is a store problem: the chunk is retried, never dropped.
 */
const PERMANENT_WRITE_ERRORS = new Set([
  2, // BadValue
  52, // DollarPrefixedFieldName
  57, // DottedFieldName
  121, // DocumentValidationFailure
  10334, // BSONObjectTooLarge
  17280, // KeyTooLong
]);

/** What became of one document: this message owns the event, another one does, or the store refused it. */
export type StoreOutcome =
  { readonly kind: 'owned' } | { readonly kind: 'duplicate' } | { readonly kind: 'refused'; readonly detail: string };

interface RefusedWrite {
  readonly code: number;
  readonly errmsg: string;
}

/**
 * Durable, deduplicated raw events. `store` answers, for each document, whether the
 * message at hand owns the event: it does when it inserted it now, or when an earlier
 * delivery of this very message inserted it (same `src`) — a redelivery after a crash,
 * whose real-time effects may still be missing. An event some other message stored
 * first is a duplicate and is never counted again.
 */
@Injectable()
export class RawEventStore {
  private readonly events: TenantCollection<RawEventDocument>;
  private indexesReady: Promise<unknown> | undefined;

  constructor(@Inject(MONGO_DB) db: Db) {
    this.events = tenantCollection<RawEventDocument>(db, RAW_EVENTS_COLLECTION);
  }

  /**
   * `mayBeOwnEarlierWrite(i)` says whether document i may have been inserted by an
   * earlier delivery of the same message (its offset lies in an attempt that did not
   * finish). Only for those is a duplicate-key answer looked into — one `$in` read —
   * since any other conflict can only be an event some other message stored first.
   */
  async store(
    documents: readonly RawEventDocument[],
    mayBeOwnEarlierWrite: (index: number) => boolean,
  ): Promise<StoreOutcome[]> {
    if (documents.length === 0) return [];
    await this.ensureIndexes();
    const refused = await this.insertNew(documents);
    const outcomes: StoreOutcome[] = documents.map(() => ({ kind: 'owned' }));
    const ambiguous: number[] = [];
    for (const [index, error] of refused) {
      if (error.code !== DUPLICATE_KEY) {
        if (!PERMANENT_WRITE_ERRORS.has(error.code)) {
          throw new Error(`MongoDB could not store ${documents[index]?._id} (${error.code}): ${error.errmsg}`);
        }
        outcomes[index] = { kind: 'refused', detail: `MongoDB refused the document (${error.code}): ${error.errmsg}` };
      } else if (mayBeOwnEarlierWrite(index)) {
        ambiguous.push(index);
      } else {
        outcomes[index] = { kind: 'duplicate' };
      }
    }
    if (ambiguous.length > 0) {
      const srcById = await this.sourcesOf(ambiguous.map((i) => documents[i] as RawEventDocument));
      for (const index of ambiguous) {
        const document = documents[index] as RawEventDocument;
        const src = srcById.get(document._id);
        // Gone since the conflict would mean someone deleted it: the whole chunk is tried again.
        if (src === undefined) throw new Error(`raw event ${document._id} vanished after a duplicate-key error`);
        if (src !== document.src) outcomes[index] = { kind: 'duplicate' };
      }
    }
    return outcomes;
  }

  /** `src` of the stored events with these documents' ids (read a tenant at a time: `idsByTenant`). */
  private async sourcesOf(documents: readonly RawEventDocument[]): Promise<Map<string, string>> {
    const srcById = new Map<string, string>();
    for (const [tenantId, ids] of idsByTenant(documents)) {
      const found = await this.events
        .find(tenantFilter(tenantId, { _id: { $in: ids } }), { projection: { src: 1 } })
        .toArray();
      for (const d of found) srcById.set(d._id, d.src);
    }
    return srcById;
  }

  /**
   * Inserts all it can; returns the positions the store refused, with why. A failure that
   * is not about single documents (connection, server) is thrown: the chunk is retried.
   */
  private async insertNew(documents: readonly RawEventDocument[]): Promise<Map<number, RefusedWrite>> {
    try {
      await this.events.insertMany(documents, { ordered: false });
      return new Map();
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError)) throw error;
      const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
      if (writeErrors.length === 0) throw error;
      return new Map(writeErrors.map((e) => [e.index, { code: Number(e.code), errmsg: String(e.errmsg) }]));
    }
  }

  private ensureIndexes(): Promise<unknown> {
    this.indexesReady ??= createIndexesOneByOne(this.events, RAW_EVENTS_INDEXES).catch((error) => {
      this.indexesReady = undefined;
      throw error;
    });
    return this.indexesReady;
  }
}
