import { Analytics } from '@segment/analytics-node';

export interface SegmentStreamOptions {
  readonly host: string;
  readonly writeKey: string;
  /** Independent SDK instances, as separate servers of one tenant would run. */
  readonly clients: number;
  /** Events each client tracks per second, named in turn from `names`. */
  readonly eventsPerSecond: number;
  readonly names: readonly string[];
}

/** What the clients did and were told, once every queued event was delivered or given up. */
export interface SegmentStreamOutcome {
  /** Events tracked, by name: each has its own messageId, kept across the SDK's retries. */
  readonly tracked: Record<string, number>;
  readonly delivered: number;
  /** Events the SDK gave up on (its callback got an error). */
  readonly failed: readonly string[];
  /** HTTP answers the SDK got, by status (retries included). */
  readonly statuses: Record<string, number>;
  /** Events in all requests sent (retries included) and the distinct messageIds among them. */
  readonly eventsSent: number;
  readonly distinctSent: number;
}

/**
 * A steady stream of track events from real `@segment/analytics-node` clients with their
 * own retry behaviour (5xx and network errors: retried with exponential backoff, same
 * batch, same messageIds; 429: after Retry-After). `stop()` ends the stream and waits for
 * every event to be delivered or given up.
 */
export class SegmentStream {
  private readonly tracked: Record<string, number> = {};
  private readonly statuses: Record<string, number> = {};
  private readonly failed: string[] = [];
  private readonly sentIds = new Set<string>();
  private eventsSent = 0;
  private delivered = 0;
  private readonly analytics: Analytics[];
  private readonly timers: NodeJS.Timeout[];

  constructor(options: SegmentStreamOptions) {
    this.analytics = Array.from({ length: options.clients }, () => {
      const client = new Analytics({ writeKey: options.writeKey, host: options.host, flushAt: 10, flushInterval: 500 });
      client.on('http_request', ({ body }) => {
        const batch = (JSON.parse(body) as { batch: { messageId: string }[] }).batch;
        this.eventsSent += batch.length;
        for (const event of batch) this.sentIds.add(event.messageId);
      });
      client.on('http_response', ({ status }) => {
        this.statuses[status] = (this.statuses[status] ?? 0) + 1;
      });
      return client;
    });
    let n = 0;
    this.timers = this.analytics.map((client, c) =>
      setInterval(() => {
        const event = options.names[n++ % options.names.length] as string;
        this.tracked[event] = (this.tracked[event] ?? 0) + 1;
        client.track({ userId: `client-${c}-user-${n % 20}`, event, properties: { n } }, (error) => {
          if (error) this.failed.push(String(error));
          else this.delivered++;
        });
      }, 1_000 / options.eventsPerSecond),
    );
  }

  async stop(flushTimeoutMs: number): Promise<SegmentStreamOutcome> {
    for (const timer of this.timers) clearInterval(timer);
    await Promise.all(this.analytics.map((client) => client.closeAndFlush({ timeout: flushTimeoutMs })));
    return {
      tracked: { ...this.tracked },
      delivered: this.delivered,
      failed: [...this.failed],
      statuses: { ...this.statuses },
      eventsSent: this.eventsSent,
      distinctSent: this.sentIds.size,
    };
  }
}
