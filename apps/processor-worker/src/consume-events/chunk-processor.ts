import { Inject, Injectable } from '@nestjs/common';
import type { KafkaMessage } from 'kafkajs';
import { PinoLogger } from 'nestjs-pino';
import {
  DIMENSION_LIMITS,
  NOTHING_COUNTED,
  OTHER_EVENT_NAME,
  RAW_EVENT_VERSION,
  admittedDimensionsOf,
  bucketOf,
  countedFieldsAt,
  countedNameOf,
  dimensionKeys,
  dimensionValuesOf,
  eventFieldsOf,
  rawEventId,
  storedFields,
  userKeyOf,
  type AnalyticsSettingsDocument,
  type EventDimensions,
  type QueryableFields,
  type RawEventDocument,
} from '@tally/analytics-store';
import { standardDimensionsOf } from '@tally/event-dimensions';
import { AnalyticsSettingsCache } from '../analytics-settings/analytics-settings.cache';
import type { ProcessingOptions } from '../config/processor-config';
import type { DeadLetter } from '../dead-letter/dead-letter.publisher';
import { DeadLetterPublisher } from '../dead-letter/dead-letter.publisher';
import { RawEventStore } from '../raw-events/raw-event.store';
import { DimensionValuesAdmission } from '../realtime-state/dimension-values.admission';
import { EventNamesAdmission } from '../realtime-state/event-names.admission';
import {
  RealtimeStateWriter,
  type ChunkStart,
  type OffsetEvent,
  type PartitionKeys,
  type PreparedEffects,
} from '../realtime-state/realtime-state.writer';
import type { EventEnvelopeV1 } from '@tally/contracts';
import type { TenantId } from '@tally/tenant-scope';
import { decodeMessage, type PoisonReason } from './decode-message';
import { PROCESSING_OPTIONS } from './processing-options';
import { PartitionProgress } from './partition-progress';
import { ProcessorMetrics, type Store } from './processor.metrics';
import { StoppedWhileWaiting, retryUntilDone, type RetryControl } from './retry-until-done';

/** Where a chunk comes from, and how to wait while a store is down. */
export interface ChunkContext {
  readonly topic: string;
  readonly partition: number;
  /** The partition's applied-offset mark and in-flight range in Redis. */
  readonly keys: PartitionKeys;
  readonly isRunning: () => boolean;
  readonly heartbeat: () => Promise<void>;
}

export interface ChunkSummary {
  readonly messages: number;
  readonly applied: number;
  readonly duplicates: number;
  readonly redelivered: number;
  readonly deadLettered: number;
  readonly requestIds: readonly string[];
  /** Where the chunk's time went, for the log line. */
  readonly stepMs: Readonly<Record<'open' | 'decode' | 'mongodb' | 'deadLetter' | 'redis', number>>;
}

interface Candidate {
  readonly message: KafkaMessage;
  readonly document: RawEventDocument;
  readonly event: OffsetEvent;
  /** What the document stores of the event's fields: the dimension counters read the same. */
  readonly fields: QueryableFields;
}

/**
 * Makes one chunk of a partition durable, in the order that keeps every message
 * counted exactly once whatever fails in between:
 *   1. open the chunk in Redis: read the partition's applied-offset mark (messages at or
 *      below it are done) and note this attempt's offset range;
 *   2. decode each message and work out its real-time effects — pure steps: a message
 *      they fail on is poison, whatever the stores do;
 *   3. events into MongoDB, deduplicated by tenant + messageId (owner = first message);
 *   4. poison to the dead-letter topic (acknowledged by Kafka);
 *   5. owned events' effects into Redis with the new mark, in one script.
 * The caller commits the offset only after this returns. A crash anywhere replays the
 * chunk: step 1 skips what the mark covers, step 3 recognises its own earlier inserts.
 * Only the store calls are retried (a store that is down comes back); a failure of the
 * message itself goes to the dead-letter topic with its reason, and the partition moves on.
 */
@Injectable()
export class ChunkProcessor {
  constructor(
    private readonly deadLetters: DeadLetterPublisher,
    private readonly rawEvents: RawEventStore,
    private readonly realtime: RealtimeStateWriter,
    private readonly metrics: ProcessorMetrics,
    private readonly progress: PartitionProgress,
    private readonly names: EventNamesAdmission,
    private readonly values: DimensionValuesAdmission,
    private readonly settings: AnalyticsSettingsCache,
    @Inject(PROCESSING_OPTIONS) private readonly options: ProcessingOptions,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(ChunkProcessor.name);
  }

  async process(messages: readonly KafkaMessage[], context: ChunkContext): Promise<ChunkSummary> {
    const stopTimer = this.metrics.batchDuration.startTimer();
    for (let attempt = 1; ; attempt++) {
      const summary = await this.attempt(messages, context, attempt);
      if (summary !== undefined) {
        stopTimer();
        return summary;
      }
      // Another consumer opened this partition meanwhile (a rebalance in progress): decide ownership again.
      this.logger.info(
        { partition: context.partition, attempt },
        'chunk superseded by another attempt: opening it again',
      );
      if (!context.isRunning()) throw new StoppedWhileWaiting('apply the chunk');
      await context.heartbeat();
    }
  }

  /** One pass of the four steps; undefined when another attempt opened the partition before this one applied. */
  private async attempt(
    messages: readonly KafkaMessage[],
    context: ChunkContext,
    attempt: number,
  ): Promise<ChunkSummary | undefined> {
    const first = BigInt((messages[0] as KafkaMessage).offset);
    const lastOffset = BigInt((messages[messages.length - 1] as KafkaMessage).offset);
    const openedAt = performance.now();
    const start = await this.retry('redis', 'open the chunk', context, () =>
      this.realtime.begin(context.keys, first, lastOffset),
    );
    // Messages at or below the mark were fully done by an earlier delivery (crash before the commit).
    const pending = messages.filter((m) => BigInt(m.offset) > start.mark);
    const redeliveredDone = messages.length - pending.length;

    const decodedAt = performance.now();
    const { letters, candidates: named, requestIds } = this.decode(pending, context);
    const decoded = await this.countDimensions(await this.boundNames(named, context), context);
    const preparedAtMs = Date.now();
    const { candidates, effects: candidateEffects } = this.prepareEffects(
      decoded,
      start,
      preparedAtMs,
      letters,
      context,
    );
    const storeStartedAt = performance.now();
    const earlier = start.earlierAttempt;
    let storeAttempts = 0;
    const outcomes = await this.retry('mongodb', 'store raw events', context, () => {
      // After a failed try of our own (a store outage mid-insert, a superseded pass), any conflict may be our own insert.
      const retrying = storeAttempts++ > 0 || attempt > 1;
      return this.rawEvents.store(
        candidates.map((c) => c.document),
        (i) => {
          const offset = (candidates[i] as Candidate).event.offset;
          return retrying || (earlier !== undefined && offset >= earlier.first && offset <= earlier.last);
        },
      );
    });
    const owned: OffsetEvent[] = [];
    let duplicates = 0;
    outcomes.forEach((outcome, i) => {
      const candidate = candidates[i] as Candidate;
      if (outcome.kind === 'owned') owned.push(candidate.event);
      else if (outcome.kind === 'duplicate') duplicates++;
      else {
        const { topic, partition } = context;
        letters.push({ topic, partition, message: candidate.message, reason: 'store_refused', detail: outcome.detail });
      }
    });

    const storedAt = performance.now();
    // Dead letters before the mark moves past them: a crash in between sends them again, never loses one.
    await this.retry('kafka', 'dead-letter poison messages', context, () => this.deadLetters.publish(letters));
    for (const letter of letters) {
      this.metrics.deadLetter(letter.reason);
      this.logger.warn(
        {
          reason: letter.reason,
          detail: letter.detail,
          source: `${letter.topic}/${letter.partition}/${letter.message.offset}`,
        },
        'message dead-lettered',
      );
    }

    const deadLetteredAt = performance.now();
    const effects = this.effectsOfOwned(owned, candidates.length, candidateEffects, start, preparedAtMs);
    const result = await this.retry('redis', 'apply real-time effects', context, () =>
      this.realtime.apply(context.keys, start, effects, lastOffset),
    );
    if (result === undefined) return undefined;
    const appliedAt = performance.now();
    this.metrics.outcome('applied', result.applied);
    this.metrics.outcome('redelivered', result.alreadyApplied + redeliveredDone);
    this.metrics.outcome('duplicate', duplicates);
    if (result.applied > 0) {
      const now = Date.now();
      for (const event of owned) this.metrics.endToEnd.observe((now - event.receivedAtMs) / 1000);
    }
    const stepMs = {
      open: decodedAt - openedAt,
      decode: storeStartedAt - decodedAt,
      mongodb: storedAt - storeStartedAt,
      deadLetter: deadLetteredAt - storedAt,
      redis: appliedAt - deadLetteredAt,
    };
    for (const [step, ms] of Object.entries(stepMs)) {
      this.metrics.stepDuration.observe({ step: step === 'deadLetter' ? 'dead_letter' : step }, ms / 1000);
    }
    return {
      messages: messages.length,
      applied: result.applied,
      duplicates,
      redelivered: result.alreadyApplied + redeliveredDone,
      deadLettered: letters.length,
      requestIds: [...requestIds],
      stepMs: Object.fromEntries(Object.entries(stepMs).map(([k, v]) => [k, Math.round(v)])) as ChunkSummary['stepMs'],
    };
  }

  private decode(
    messages: readonly KafkaMessage[],
    context: ChunkContext,
  ): { letters: DeadLetter[]; candidates: Candidate[]; requestIds: Set<string> } {
    const letters: DeadLetter[] = [];
    const candidates: Candidate[] = [];
    const requestIds = new Set<string>();
    for (const message of messages) {
      const decoded = decodeMessage(message);
      if (decoded.kind === 'poison') {
        letters.push({ topic: context.topic, partition: context.partition, message, ...decoded });
        continue;
      }
      try {
        candidates.push(this.candidateOf(message, decoded.envelope, decoded.tenantId, context));
        if (decoded.envelope.requestId !== undefined) requestIds.add(decoded.envelope.requestId);
      } catch (error) {
        letters.push({ topic: context.topic, partition: context.partition, message, ...unprocessable(error) });
      }
    }
    return { letters, candidates, requestIds };
  }

  private candidateOf(
    message: KafkaMessage,
    envelope: EventEnvelopeV1,
    tenantId: TenantId,
    context: ChunkContext,
  ): Candidate {
    const timestamp = new Date(envelope.timestamp);
    const receivedAt = new Date(envelope.receivedAt);
    const name = countedNameOf(envelope.event);
    const userKey = userKeyOf(envelope.event);
    const { props, nums, dropped } = eventFieldsOf(envelope.event, standardDimensionsOf(envelope.event));
    if (dropped > 0) this.metrics.propsDropped.inc(dropped);
    return {
      message,
      fields: { props, nums },
      document: {
        _id: rawEventId(tenantId, envelope.messageId),
        tenantId,
        v: RAW_EVENT_VERSION,
        name,
        userKey,
        timestamp,
        minute: bucketOf(timestamp.getTime(), 'minute'),
        receivedAt,
        src: `${context.topic}/${context.partition}/${message.offset}`,
        ...storedFields.encode({ props, nums }),
        payload: JSON.stringify(envelope.event),
      },
      event: {
        tenantId,
        name,
        userKey,
        timestampMs: timestamp.getTime(),
        receivedAtMs: receivedAt.getTime(),
        offset: BigInt(message.offset),
      },
    };
  }

  /**
   * Candidates whose track-event name is past its tenant's bound, counted under
   * `OTHER_EVENT_NAME` instead (the raw event's payload keeps its name). Decided before
   * anything is stored, the same way on every delivery (`EventNamesAdmission`).
   */
  private async boundNames(candidates: readonly Candidate[], context: ChunkContext): Promise<Candidate[]> {
    const admitted = await this.retry('redis', 'admit event names', context, () =>
      this.names.admit(
        candidates.map((c) => c.event),
        this.options.maxEventNamesPerTenant,
      ),
    );
    return candidates.map((candidate, i) => {
      if (admitted[i]) return candidate;
      this.metrics.folded.inc({ reason: 'event_names' });
      return {
        ...candidate,
        document: { ...candidate.document, name: OTHER_EVENT_NAME },
        event: { ...candidate.event, name: OTHER_EVENT_NAME },
      };
    });
  }

  /**
   * Candidates with what they write into the dimension counters: the dimensions and
   * measures their tenant counts for them (by their arrival, `countedFieldsAt`), their
   * values, and the bounds of admission applied — names past the tenant's dimension
   * names under `(other)`, values past K or P under `OTHER_VALUE`. Decided before anything
   * is stored; a redelivery gets the same answers (the sets only grow).
   */
  private async countDimensions(candidates: readonly Candidate[], context: ChunkContext): Promise<Candidate[]> {
    if (candidates.length === 0) return [];
    const settings = await this.retry('mongodb', 'load analytics settings', context, () =>
      this.settings.settingsOf(candidates.map((c) => c.event.tenantId)),
    );
    const asking: { index: number; dimensions: EventDimensions }[] = [];
    candidates.forEach(({ event, fields }, index) => {
      const counted = countedFieldsAt(settings.get(event.tenantId) as AnalyticsSettingsDocument, event.receivedAtMs);
      if (counted !== NOTHING_COUNTED)
        asking.push({ index, dimensions: dimensionValuesOf(event.name, fields, counted) });
    });
    if (asking.length === 0) return [...candidates];
    const eventOf = (index: number) => (candidates[index] as Candidate).event;
    const namesAdmitted = await this.retry('redis', 'admit dimension names', context, () =>
      this.names.admit(
        asking.map(({ index, dimensions }) => ({ tenantId: eventOf(index).tenantId, name: dimensions.name })),
        DIMENSION_LIMITS.names,
        dimensionKeys.names,
      ),
    );
    const named = asking.map(({ dimensions }, k) =>
      namesAdmitted[k] ? dimensions : { ...dimensions, name: OTHER_EVENT_NAME },
    );
    const valuesAdmitted = await this.retry('redis', 'admit dimension values', context, () =>
      this.values.admit(
        asking.map(({ index }, k) => ({
          tenantId: eventOf(index).tenantId,
          timestampMs: eventOf(index).timestampMs,
          dimensions: named[k] as EventDimensions,
        })),
        DIMENSION_LIMITS,
      ),
    );
    const result = [...candidates];
    asking.forEach(({ index, dimensions }, k) => {
      const nameAdmitted = namesAdmitted[k] === true;
      if (!nameAdmitted) this.metrics.folded.inc({ reason: 'dimension_names' });
      const admitted = admittedDimensionsOf(
        dimensions,
        nameAdmitted,
        valuesAdmitted[k] as (d: string, n: string, v: string) => boolean,
      );
      const otherValues = admitted.values.filter(([, v], i) => v !== dimensions.values[i]?.[1]).length;
      if (otherValues > 0) this.metrics.folded.inc({ reason: 'dimension_values' }, otherValues);
      const candidate = result[index] as Candidate;
      result[index] = { ...candidate, event: { ...candidate.event, dimensions: admitted } };
    });
    return result;
  }

  /**
   * The candidates' real-time effects, worked out before anything is stored. Working
   * them out throws only on what an event holds (a name a key cannot carry): such an
   * event would fail the same way on every delivery, so it is found — each event alone,
   * only when the whole chunk failed — and dead-lettered, and the rest go on.
   */
  private prepareEffects(
    decoded: readonly Candidate[],
    start: ChunkStart,
    nowMs: number,
    letters: DeadLetter[],
    context: ChunkContext,
  ): { candidates: Candidate[]; effects: PreparedEffects } {
    try {
      return {
        candidates: [...decoded],
        effects: RealtimeStateWriter.prepare(
          decoded.map((c) => c.event),
          start,
          nowMs,
        ),
      };
    } catch {
      const candidates = decoded.filter((candidate) => {
        try {
          RealtimeStateWriter.prepare([candidate.event], start, nowMs);
          return true;
        } catch (error) {
          letters.push({
            topic: context.topic,
            partition: context.partition,
            message: candidate.message,
            ...unprocessable(error),
          });
          return false;
        }
      });
      return {
        candidates,
        effects: RealtimeStateWriter.prepare(
          candidates.map((c) => c.event),
          start,
          nowMs,
        ),
      };
    }
  }

  /**
   * The owned events' effects: those worked out for every candidate when each was owned
   * (no duplicates) and the clock has not moved on meaningfully since — the effects
   * depend on "now" (which minutes are closed, what is still live) — else anew.
   */
  private effectsOfOwned(
    owned: readonly OffsetEvent[],
    candidates: number,
    candidateEffects: PreparedEffects,
    start: ChunkStart,
    preparedAtMs: number,
  ): PreparedEffects {
    const nowMs = Date.now();
    const sameClock = nowMs - preparedAtMs < 1_000 && bucketOf(nowMs, 'minute') === bucketOf(preparedAtMs, 'minute');
    if (owned.length === candidates && sameClock) return candidateEffects;
    return RealtimeStateWriter.prepare(owned, start, nowMs);
  }

  private async retry<T>(store: Store, step: string, context: ChunkContext, attempt: () => Promise<T>): Promise<T> {
    let waiting = false;
    const control: RetryControl = {
      isRunning: context.isRunning,
      heartbeat: context.heartbeat,
      onRetry: (error, attempts, delayMs) => {
        const where = { store, step, partition: context.partition, attempts };
        if (error === undefined) {
          this.logger.info(where, 'store back: partition resumed');
          return;
        }
        this.metrics.storeRetries.inc({ store });
        if (!waiting) {
          waiting = true;
          this.progress.waitingFor(context.partition, store, step);
          this.metrics.waitingForStore.inc({ store });
          this.logger.warn({ ...where, err: error }, 'store unavailable: partition paused');
        } else {
          this.logger.debug({ ...where, delayMs }, 'still waiting for store');
        }
      },
    };
    try {
      return await retryUntilDone(step, attempt, control);
    } finally {
      if (waiting) {
        this.metrics.waitingForStore.dec({ store });
        this.progress.resumed(context.partition);
      }
    }
  }
}

/** A message that fails a pure step: poison, with what went wrong. */
function unprocessable(error: unknown): { reason: PoisonReason; detail: string } {
  return {
    reason: 'unprocessable',
    detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  };
}
