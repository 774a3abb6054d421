import { Inject, Injectable } from '@nestjs/common';
import { MongoServerError, type Db } from 'mongodb';
import {
  RAW_EVENTS_COLLECTION,
  rawEventFieldsOf,
  scanPrefilterOf,
  type EventFold,
  type FoldableEvent,
  type ScanSelection,
  type StoredRawEvent,
} from '@tally/analytics-store';
import { MONGO_DB } from '@tally/mongo';
import { tenantCollection, tenantFilter, type TenantCollection, type TenantId } from '@tally/tenant-scope';

/** How far one scan may go (`QUERY_SCAN_*`): past a bound, the scan stops and says which. */
export interface ScanBounds {
  readonly maxEvents: number;
  readonly timeLimitMs: number;
}

/** A scan stopped at a bound: the question is valid but costs more than a scan may (422). */
export class ScanBoundError extends Error {
  constructor(
    readonly code: 'scan_too_large' | 'scan_too_slow',
    message: string,
  ) {
    super(message);
  }
}

/** Raw events the store sends at once, and folded before the event loop is given back to other requests. */
const BATCH = 1_000;
/**
 * Raw events decoded and folded between looks at the clock: past the deadline a scan
 * stops within this many more events, even when each is slow (a version-1 document's
 * large payload is parsed whole), where a look per batch let one batch run on.
 */
const CHECK_EVERY = 100;
/** MongoDB's error for a `maxTimeMS` that ran out. */
const MAX_TIME_EXPIRED = 50;
const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What a raw event is read with: everything the fold needs, and the payload only for version-1 documents' sake. */
const PROJECTION = { _id: 0, v: 1, name: 1, userKey: 1, timestamp: 1, receivedAt: 1, props: 1, nums: 1, payload: 1 };

/**
 * Reads one tenant's raw events for a question, in batches, into its fold (0009 section
 * 5, the scan path). The store filter is a superset of the question (`scanPrefilterOf`);
 * the fold applies the filters again, and is what answers. Bounded by events read and by
 * time, in the store (`maxTimeMS`) and here (`foldRawEvents`); between batches the event
 * loop serves others.
 */
@Injectable()
export class RawEventScan {
  private readonly events: TenantCollection<StoredRawEvent>;

  constructor(@Inject(MONGO_DB) db: Db) {
    this.events = tenantCollection<StoredRawEvent>(db, RAW_EVENTS_COLLECTION);
  }

  /** Folds every raw event of the selection; returns how many were read. */
  async scan(tenantId: TenantId, selection: ScanSelection, fold: EventFold, bounds: ScanBounds): Promise<number> {
    const cursor = this.events.find(tenantFilter<StoredRawEvent>(tenantId, scanPrefilterOf(selection)), {
      projection: PROJECTION,
      batchSize: BATCH,
      maxTimeMS: bounds.timeLimitMs,
    });
    try {
      return await foldRawEvents(cursor, fold, bounds);
    } catch (error) {
      if (error instanceof MongoServerError && error.code === MAX_TIME_EXPIRED) throw tooSlow(bounds);
      throw error;
    } finally {
      await cursor.close();
    }
  }
}

/**
 * Folds raw events as they are read, within the bounds: `scan_too_large` past the events
 * it may read, `scan_too_slow` past its time (looked at every `CHECK_EVERY` events), and
 * the event loop given back every `BATCH`. Returns how many were read. `now` is for specs.
 */
export async function foldRawEvents(
  documents: AsyncIterable<StoredRawEvent>,
  fold: EventFold,
  bounds: ScanBounds,
  now: () => number = () => performance.now(),
): Promise<number> {
  const deadline = now() + bounds.timeLimitMs;
  let read = 0;
  let slice: FoldableEvent[] = [];
  const foldSlice = () => {
    read += slice.length;
    if (read > bounds.maxEvents) throw tooLarge(bounds);
    fold.add(slice);
    slice = [];
  };
  for await (const document of documents) {
    slice.push(foldableOf(document));
    if (slice.length < CHECK_EVERY) continue;
    foldSlice();
    if (now() > deadline) throw tooSlow(bounds);
    if (read % BATCH === 0) await yieldToOthers();
  }
  // The last events are folded whatever the time: the answer is complete then.
  foldSlice();
  return read;
}

function foldableOf(document: StoredRawEvent): FoldableEvent {
  const { props, nums } = rawEventFieldsOf(document);
  return {
    name: document.name,
    userKey: document.userKey,
    timestampMs: document.timestamp.getTime(),
    receivedAtMs: document.receivedAt.getTime(),
    props,
    nums,
  };
}

const tooLarge = (bounds: ScanBounds) =>
  new ScanBoundError(
    'scan_too_large',
    `the scan would read more than ${bounds.maxEvents.toLocaleString('en-US')} raw events`,
  );

const tooSlow = (bounds: ScanBounds) =>
  new ScanBoundError('scan_too_slow', `the scan took longer than ${bounds.timeLimitMs / 1_000} s`);
