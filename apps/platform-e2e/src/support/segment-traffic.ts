import { randomUUID } from 'node:crypto';
import type { SegmentEvent } from '@tally/contracts';
import type { TenantId } from '@tally/tenant-scope';
import { sleep } from '@tally/testing';
import { TRACK_NAMES, expectEvent, noEvents, random, type ExpectedTenant } from './event-dataset';

/** One `/v1/batch` request's worth of one tenant's events, as a Segment SDK would send them. */
export interface SegmentBatch {
  readonly tenantId: TenantId;
  readonly writeKey: string;
  readonly events: readonly (SegmentEvent & { readonly timestamp: string })[];
}

export interface TrafficOptions {
  readonly tenants: readonly { readonly tenantId: TenantId; readonly writeKey: string }[];
  readonly events: number;
  readonly batchSize: number;
  /** Event times fall between this instant (ms) and now, evenly. */
  readonly since: number;
}

/**
 * Segment events for provisioned tenants, in batches of one tenant each (a write key
 * names one tenant), batches of different tenants interleaved: tracks with awkward
 * names, pages and identifies, known users and anonymous ones, explicit messageIds
 * (so a retry is recognisable) and explicit times (so their minutes are known).
 */
export function makeSegmentBatches(options: TrafficOptions, seed = Date.now()): SegmentBatch[] {
  const rnd = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
  const now = Date.now();
  const pending = new Map(options.tenants.map((t) => [t.tenantId, [] as SegmentBatch['events'][number][]]));
  const batches: SegmentBatch[] = [];
  for (let i = 0; i < options.events; i++) {
    const tenant = pick(options.tenants);
    const identity = rnd() < 0.9 ? { userId: `user-${Math.floor(rnd() * 500)}` } : { anonymousId: randomUUID() };
    const timestamp = new Date(options.since + Math.floor(rnd() * (now - options.since))).toISOString();
    const messageId = randomUUID();
    const kind = rnd();
    const event =
      kind < 0.75
        ? { type: 'track' as const, event: pick(TRACK_NAMES), messageId, timestamp, ...identity, properties: { i } }
        : kind < 0.9
          ? { type: 'page' as const, name: 'Home', messageId, timestamp, ...identity }
          : { type: 'identify' as const, messageId, timestamp, ...identity, traits: { plan: 'pro' } };
    const events = pending.get(tenant.tenantId) as SegmentBatch['events'][number][];
    events.push(event);
    if (events.length === options.batchSize) {
      batches.push({ tenantId: tenant.tenantId, writeKey: tenant.writeKey, events: events.splice(0) });
    }
  }
  for (const tenant of options.tenants) {
    const events = pending.get(tenant.tenantId) as SegmentBatch['events'][number][];
    if (events.length > 0) batches.push({ tenantId: tenant.tenantId, writeKey: tenant.writeKey, events });
  }
  return batches;
}

/** What ingest-api said about everything sent, and the known answers for what it accepted. */
export interface SendReport {
  /** Events accepted (200), retries of an already accepted batch not counted again. */
  accepted: number;
  /** Events a 200 answer listed as rejected. */
  rejected: number;
  /** Batches that never got a 200 within the attempts allowed. */
  failedBatches: number;
  /** Answers that asked for a retry (429, 503, other 5xx) or requests that failed on the network. */
  retries: number;
  /** Events accepted by each ingest URL. */
  readonly acceptedBy: Map<string, number>;
  /** Per tenant: what must be counted — accepted events only. */
  readonly expected: Map<TenantId, ExpectedTenant>;
}

export const emptySendReport = (tenants: readonly TenantId[]): SendReport => ({
  accepted: 0,
  rejected: 0,
  failedBatches: 0,
  retries: 0,
  acceptedBy: new Map(),
  expected: new Map(tenants.map((t) => [t, noEvents()])),
});

/**
 * Sends batches to `/v1/batch`, `concurrency` requests in flight, batch `i` to
 * `urlOf(i)`. Like a Segment SDK it retries a batch as it is (same messageIds) on 429,
 * 5xx and network errors — after `Retry-After` when given, else with exponential
 * backoff — and gives up after `maxAttempts`. Events of a 200 answer count in the
 * report's expectation unless the answer rejects them; with `countAccepted: false`
 * (a deliberate resend of batches already accepted) nothing is added to it.
 */
export async function sendBatches(
  batches: readonly SegmentBatch[],
  urlOf: (index: number) => string,
  report: SendReport,
  options: { concurrency?: number; maxAttempts?: number; countAccepted?: boolean } = {},
): Promise<SendReport> {
  const maxAttempts = options.maxAttempts ?? 12;
  let next = 0;
  const sendOne = async (index: number): Promise<void> => {
    const batch = batches[index] as SegmentBatch;
    const url = urlOf(index);
    const body = JSON.stringify({ batch: batch.events });
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      let response: Response | undefined;
      try {
        response = await fetch(`${url}/v1/batch`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Basic ${Buffer.from(`${batch.writeKey}:`).toString('base64')}`,
          },
          body,
          signal: AbortSignal.timeout(30_000),
        });
      } catch {
        response = undefined; // connection refused or reset, timeout: retry like a network error
      }
      if (response?.status === 200) {
        const answer = (await response.json()) as { accepted: number; rejected: { index: number }[] };
        if (options.countAccepted === false) return;
        const refused = new Set(answer.rejected.map((r) => r.index));
        const wanted = report.expected.get(batch.tenantId) as ExpectedTenant;
        batch.events.forEach((event, i) => {
          if (!refused.has(i)) expectEvent(wanted, Date.parse(event.timestamp), event);
        });
        report.accepted += answer.accepted;
        report.rejected += refused.size;
        report.acceptedBy.set(url, (report.acceptedBy.get(url) ?? 0) + answer.accepted);
        return;
      }
      if (response !== undefined && response.status !== 429 && response.status < 500) {
        throw new Error(`POST ${url}/v1/batch answered ${response.status}: ${await response.text()}`);
      }
      await response?.body?.cancel();
      report.retries++;
      const retryAfterSeconds = Number(response?.headers.get('retry-after'));
      await sleep(
        Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0
          ? retryAfterSeconds * 1_000
          : Math.min(5_000, 100 * 2 ** attempt),
      );
    }
    report.failedBatches++;
  };
  const lanes = Array.from({ length: options.concurrency ?? 8 }, async () => {
    while (next < batches.length) await sendOne(next++);
  });
  await Promise.all(lanes);
  return report;
}
