import { EventFold, RAW_EVENT_VERSION, storedFields, type StoredRawEvent } from '@tally/analytics-store';
import { parseTenantId } from '@tally/tenant-scope';
import { ScanBoundError, foldRawEvents, type ScanBounds } from './raw-event.scan';

const AT = Date.parse('2026-11-28T12:00:00Z');
const TENANT = parseTenantId('t_abcdefghijklmnopqrst');

function rawEvent(i: number): StoredRawEvent {
  if (TENANT === undefined) throw new Error('not a tenant id');
  return {
    _id: `${TENANT}:m${i}`,
    tenantId: TENANT,
    name: 'Signed Up',
    userKey: `u:${i}`,
    timestamp: new Date(AT),
    minute: AT / 60_000,
    receivedAt: new Date(AT),
    src: `events/0/${i}`,
    payload: '{}',
    v: RAW_EVENT_VERSION,
    ...storedFields.encode({ props: [], nums: [] }),
  };
}

/** `count` raw events as a cursor gives them, each taking `msEach` on the clock `now` reads, and how many were read. */
function slowStore(count: number, msEach: number) {
  const clock = { ms: 0, read: 0 };
  async function* documents(): AsyncGenerator<StoredRawEvent> {
    for (let i = 0; i < count; i++) {
      clock.ms += msEach;
      clock.read++;
      yield rawEvent(i);
    }
  }
  return { clock, documents: documents(), now: () => clock.ms };
}

const foldOfEvents = () =>
  new EventFold({ metrics: ['events'], breakdown: [], filters: [], windows: [{ startMs: AT, endMs: AT + 60_000 }] });

async function failureOf(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected the scan to stop');
}

describe('foldRawEvents', () => {
  const bounds: ScanBounds = { maxEvents: 10_000, timeLimitMs: 50 };

  it('folds every event within its bounds, and says how many it read', async () => {
    const store = slowStore(2_345, 0.01);
    const fold = foldOfEvents();
    expect(await foldRawEvents(store.documents, fold, bounds, store.now)).toBe(2_345);
    expect(fold.answer({ by: 'events', descending: true }, 1).totals).toEqual({ events: 2_345 });
  });

  it('stops a slow scan within a hundred events of its deadline, not at the end of a batch', async () => {
    const store = slowStore(5_000, 1); // 1 ms an event: the deadline falls at the 50th
    const error = await failureOf(foldRawEvents(store.documents, foldOfEvents(), bounds, store.now));
    expect(error).toBeInstanceOf(ScanBoundError);
    expect(error).toMatchObject({ code: 'scan_too_slow' });
    expect(store.clock.read).toBeLessThanOrEqual(150);
  });

  it('stops past the events it may read', async () => {
    const store = slowStore(1_000, 0);
    const error = await failureOf(
      foldRawEvents(store.documents, foldOfEvents(), { ...bounds, maxEvents: 500 }, store.now),
    );
    expect(error).toMatchObject({ code: 'scan_too_large' });
  });
});
