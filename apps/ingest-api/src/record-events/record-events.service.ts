import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Kafka, Message } from 'kafkajs';
import type { Registry } from 'prom-client';
import { TOPICS } from '@tally/contracts';
import { GroupCommitProducer, KAFKA_CLIENT, KeyPartitioning, PublishTooLargeError } from '@tally/kafka';
import { METRICS_REGISTRY } from '@tally/observability';
import { RateLimiter, rateLimitHeaders, type ResolvedTenant } from '@tally/tenancy';
import { IngestMetrics } from './ingest.metrics';
import type { IngestReport } from './ingest-report';
import { normalizeEvents, type OutgoingEvent } from './normalize-events';

export const RECORD_EVENTS_OPTIONS = Symbol('RECORD_EVENTS_OPTIONS');

export interface RecordEventsOptions {
  readonly produceTimeoutMs: number;
  readonly maxPendingEvents: number;
  readonly maxFutureSkewMs: number;
  readonly maxEventAgeMs: number;
  /** Idempotent producers working side by side (each keeps one request in flight). */
  readonly producers: number;
}

/** What a controller turns into an HTTP answer. */
export type RecordOutcome =
  | { readonly kind: 'recorded'; readonly report: IngestReport; readonly headers: Record<string, string> }
  | { readonly kind: 'all-rejected'; readonly report: IngestReport; readonly tooLarge: boolean }
  | { readonly kind: 'over-quota'; readonly headers: Record<string, string> }
  /** Kafka refused an event sent on its own: it can never be written. */
  | { readonly kind: 'too-large'; readonly reason: string }
  | { readonly kind: 'unavailable'; readonly retryAfterSeconds: number; readonly cause: unknown };

/**
 * The ingest pipeline for one request: validate each event, take the tenant's quota,
 * publish the accepted ones and wait until Kafka holds them (all in-sync replicas).
 */
@Injectable()
export class RecordEventsService implements OnModuleInit, OnApplicationShutdown {
  private readonly publishers: GroupCommitProducer[];
  private readonly metrics: IngestMetrics;

  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(RECORD_EVENTS_OPTIONS) private readonly options: RecordEventsOptions,
    private readonly quotas: RateLimiter,
  ) {
    this.metrics = new IngestMetrics(registry);
    // Several idempotent producers, each with one request in flight: requests overlap without
    // risking the sequence numbers of one producer, and a key always goes through the same
    // producer, so one user's events keep their order.
    const partitioning = new KeyPartitioning();
    const createProducer = () =>
      kafka.producer({
        // Idempotent: a produce retried after a lost acknowledgement is not written twice.
        idempotent: true,
        maxInFlightRequests: 1,
        // The DefaultPartitioner's choice, without its per-message allocations; it also tells
        // the group commit which partition each message goes to.
        createPartitioner: partitioning.createPartitioner,
        // Retry without end inside one produce request: giving up part-way would desynchronise the
        // idempotent producer's sequence numbers. Callers are answered by the group-commit deadline.
        retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 2_000 },
      });
    this.publishers = Array.from(
      { length: options.producers },
      () =>
        // Bytes are bounded per partition (DEFAULT_MAX_BATCH_BYTES, below the topic's 1,048,588), and one
        // request may need several sends: its events for one user can exceed a record batch on their own.
        // 500 KB of body holds up to 2,500 events (INGEST_LIMITS), and each grows by its envelope's header
        // (263 bytes for a 40-byte event without messageId, normalize-events) and a record's 36 at most:
        // 2,500 × (205 + 263 + 36) ≈ 1.26 MB for one user. And a batch's context is copied into each of its
        // events (mergeBatchFields): 2,500 events of up to 32 KB is 80 MB from a small body.
        new GroupCommitProducer(createProducer, TOPICS.events.name, {
          maxBatchMessages: 10_000,
          maxPendingMessages: Math.ceil(options.maxPendingEvents / options.producers),
          timeoutMs: options.produceTimeoutMs,
          partitionOf: (message) => partitioning.partitionOf(TOPICS.events.name, message.key),
          onBatch: (count, seconds, ok) => {
            this.metrics.produceDuration.observe({ result: ok ? 'ok' : 'error' }, seconds);
            this.metrics.produceBatchSize.observe(count);
          },
        }),
    );
  }

  async onModuleInit(): Promise<void> {
    // Connect eagerly when Kafka is there; when it is not, the first publish retries and readiness says why.
    await Promise.all(this.publishers.map((p) => p.connect().catch(() => undefined)));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.publishers.map((p) => p.disconnect()));
  }

  async record(tenant: ResolvedTenant, rawEvents: readonly unknown[], requestId: string): Promise<RecordOutcome> {
    const { accepted, rejected } = normalizeEvents(rawEvents, {
      tenantId: tenant.tenantId,
      receivedAt: new Date(),
      requestId,
      maxFutureSkewMs: this.options.maxFutureSkewMs,
      maxEventAgeMs: this.options.maxEventAgeMs,
    });
    for (const r of rejected) this.metrics.rejected(r.code);
    const publicRejected = rejected.map(({ index, messageId, reason }) => ({ index, messageId, reason }));
    if (accepted.length === 0) {
      return {
        kind: 'all-rejected',
        report: { success: false, accepted: 0, rejected: publicRejected },
        tooLarge: rejected.every((r) => r.code === 'too_large'),
      };
    }

    const decision = await this.quotas.take(
      tenant.tenantId,
      'ingest',
      { ratePerSecond: tenant.quotas.ingestEventsPerSecond, capacity: tenant.quotas.ingestBurst },
      accepted.length,
    );
    const headers = rateLimitHeaders(decision);
    if (!decision.allowed) {
      this.metrics.rejected('over_quota', accepted.length);
      return { kind: 'over-quota', headers };
    }

    try {
      await this.publish(accepted.map(toKafkaMessage));
    } catch (cause) {
      if (cause instanceof PublishTooLargeError) {
        this.metrics.rejected('too_large', accepted.length);
        return { kind: 'too-large', reason: cause.message };
      }
      this.metrics.rejected('unavailable', accepted.length);
      return { kind: 'unavailable', retryAfterSeconds: 5, cause };
    }
    this.metrics.accepted(accepted.length);
    return {
      kind: 'recorded',
      report: { success: true, accepted: accepted.length, rejected: publicRejected },
      headers,
    };
  }

  /** Splits a request's messages by producer and waits until every share is acknowledged. */
  private async publish(messages: Message[]): Promise<void> {
    if (this.publishers.length === 1) return (this.publishers[0] as GroupCommitProducer).publish(messages);
    const shares: Message[][] = this.publishers.map(() => []);
    for (const message of messages) shares[shardOf(String(message.key), shares.length)]?.push(message);
    await Promise.all(shares.map((share, i) => (this.publishers[i] as GroupCommitProducer).publish(share)));
  }
}

/** Stable shard of a key: the same key always reaches the same producer. */
function shardOf(key: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % shards;
}

/**
 * No Kafka headers: the envelope names its version, tenant and request itself, and each
 * header cost kafkajs buffers of its own for every message (dropping the three we had
 * measured +20 % on `/v1/batch`, docs/benchmarks.md).
 */
function toKafkaMessage(event: OutgoingEvent): Message {
  return { key: event.key, value: event.value };
}
