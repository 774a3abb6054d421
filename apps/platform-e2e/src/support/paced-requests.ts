import { randomUUID } from 'node:crypto';
import { sleep } from '@tally/testing';

/** What ingest-api answered to one request of a paced stream. */
export interface PacedAnswer {
  readonly messageIds: readonly string[];
  readonly sentAt: number;
  readonly answeredAt: number;
  /** HTTP status, or 0 when the request failed on the network. */
  readonly status: number;
  readonly headers: Headers | undefined;
  /** `accepted` of a 200 answer, else 0. */
  readonly accepted: number;
}

export interface PacedStream {
  readonly ingestUrl: string;
  readonly writeKey: string;
  /** The track event's name: one name per stream, so its count can be read on its own. */
  readonly event: string;
  readonly requestsPerSecond: number;
  readonly eventsPerRequest: number;
  readonly durationMs: number;
  /** Ends the stream early (the requests already started are still answered). */
  readonly signal?: AbortSignal;
}

/**
 * Sends `/v1/batch` requests on a fixed schedule — open loop, as independent clients
 * would: a slow answer does not delay the next request, so a slower ingest-api shows as
 * later answers, not as fewer requests. Nothing is retried: every answer is returned
 * as it came, in the order the requests were sent.
 */
export async function sendPaced(stream: PacedStream): Promise<PacedAnswer[]> {
  const started = Date.now();
  const intervalMs = 1_000 / stream.requestsPerSecond;
  const count = Math.floor(stream.durationMs / intervalMs);
  const authorization = `Basic ${Buffer.from(`${stream.writeKey}:`).toString('base64')}`;
  const inFlight: Promise<PacedAnswer>[] = [];
  for (let i = 0; i < count && !stream.signal?.aborted; i++) {
    await sleep(Math.max(0, started + i * intervalMs - Date.now()));
    const batch = Array.from({ length: stream.eventsPerRequest }, (_, j) => ({
      type: 'track',
      event: stream.event,
      userId: `user-${(i * stream.eventsPerRequest + j) % 50}`,
      messageId: randomUUID(),
    }));
    inFlight.push(postBatch(stream.ingestUrl, authorization, batch));
  }
  return Promise.all(inFlight);
}

async function postBatch(
  ingestUrl: string,
  authorization: string,
  batch: readonly { readonly messageId: string }[],
): Promise<PacedAnswer> {
  const messageIds = batch.map((e) => e.messageId);
  const sentAt = Date.now();
  try {
    const response = await fetch(`${ingestUrl}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ batch }),
      signal: AbortSignal.timeout(60_000),
    });
    const body = (await response.json()) as { accepted?: number };
    const accepted = response.status === 200 ? (body.accepted ?? 0) : 0;
    return { messageIds, sentAt, answeredAt: Date.now(), status: response.status, headers: response.headers, accepted };
  } catch {
    return { messageIds, sentAt, answeredAt: Date.now(), status: 0, headers: undefined, accepted: 0 };
  }
}
