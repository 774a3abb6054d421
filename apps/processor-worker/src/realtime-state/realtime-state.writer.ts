import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS_CLIENT } from '@tally/redis';
import { hashTag, platformKey, type PlatformKey, type RedisKey } from '@tally/tenant-scope';
import { APPLY_EFFECTS_LUA, BEGIN_CHUNK_LUA } from './apply-effects.lua';
import { effectsOf, type CountedEvent, type Effect } from './realtime-effects';

/** An owned event and the offset of the message that carried it. */
export interface OffsetEvent extends CountedEvent {
  readonly offset: bigint;
}

export interface ApplyResult {
  /** Events whose effects this call wrote. */
  readonly applied: number;
  /** Events skipped because an earlier delivery had already written them. */
  readonly alreadyApplied: number;
}

/** Where a partition stands when a chunk of it is opened. */
export interface ChunkStart {
  /** Offsets up to this one have their effects in Redis (-1: none). */
  readonly mark: bigint;
  /** Offsets of earlier attempts past the mark that may have reached MongoDB only; undefined if none. */
  readonly earlierAttempt: { readonly first: bigint; readonly last: bigint } | undefined;
  /** This opening's number: the apply succeeds only if no other attempt opened since. */
  readonly openCount: string;
}

/**
 * The script arguments of a chunk's effects, computed before any Redis call. Computing
 * them is pure and depends only on the events, so a failure here is the events' fault
 * and fails the same way on every delivery: the caller must not retry it as if Redis
 * were down.
 */
export interface PreparedEffects {
  /** Events whose effects these are (past the mark). */
  readonly events: number;
  /** Events left out because the mark already covers them. */
  readonly alreadyApplied: number;
  readonly keys: readonly RedisKey[];
  readonly args: readonly (string | number)[];
}

/** The Redis keys that track one topic partition for one consumer group (one slot: the scripts touch all three). */
export interface PartitionKeys {
  readonly mark: PlatformKey;
  readonly inFlight: PlatformKey;
  readonly opened: PlatformKey;
}

type RedisWithScripts = Redis & {
  tallyApplyEffects(numKeys: number, ...keysAndArgs: (string | number)[]): Promise<number>;
  tallyBeginChunk(numKeys: number, ...keysAndArgs: (string | number)[]): Promise<[string, string, string, string]>;
};

/**
 * Writes the real-time state exactly once per message. Each topic partition has an
 * applied-offset mark in Redis (per consumer group); a chunk's effects and the new mark
 * are written by one script, only if the mark is unchanged since it was read.
 */
@Injectable()
export class RealtimeStateWriter {
  private readonly redis: RedisWithScripts;

  constructor(@Inject(REDIS_CLIENT) redis: Redis) {
    if (!('tallyApplyEffects' in redis)) redis.defineCommand('tallyApplyEffects', { lua: APPLY_EFFECTS_LUA });
    if (!('tallyBeginChunk' in redis)) redis.defineCommand('tallyBeginChunk', { lua: BEGIN_CHUNK_LUA });
    this.redis = redis as RedisWithScripts;
  }

  static partitionKeys(groupId: string, topic: string, partition: number): PartitionKeys {
    const group = hashTag(groupId);
    return {
      mark: platformKey('proc', group, 'applied', topic, partition),
      inFlight: platformKey('proc', group, 'in-flight', topic, partition),
      opened: platformKey('proc', group, 'opened', topic, partition),
    };
  }

  /**
   * Called before a chunk's MongoDB writes. A duplicate-key answer from MongoDB is then
   * ambiguous only for offsets inside the earlier attempt's range (the earlier attempt
   * may have inserted it): only those need the owner looked up.
   */
  async begin(keys: PartitionKeys, first: bigint, last: bigint): Promise<ChunkStart> {
    const [mark, earlierFirst, earlierLast, openCount] = await this.redis.tallyBeginChunk(
      3,
      keys.mark,
      keys.inFlight,
      keys.opened,
      String(first),
      String(last),
    );
    return {
      mark: BigInt(mark),
      earlierAttempt: earlierLast === '-1' ? undefined : { first: BigInt(earlierFirst), last: BigInt(earlierLast) },
      openCount,
    };
  }

  /** The effects of events past the mark (`start`), ready for `apply`; throws only on what the events hold. */
  static prepare(events: readonly OffsetEvent[], start: ChunkStart, nowMs: number): PreparedEffects {
    const fresh = events.filter((e) => e.offset > start.mark);
    return { events: fresh.length, alreadyApplied: events.length - fresh.length, ...encode(effectsOf(fresh, nowMs)) };
  }

  /**
   * Writes the prepared effects and moves the mark to `lastOffset` (the chunk's last
   * message, owned event or not), in one script, if no other attempt opened a chunk of
   * the partition since `start`. Returns undefined when one did: the caller opens the
   * chunk again and decides ownership anew.
   */
  async apply(
    keys: PartitionKeys,
    start: ChunkStart,
    effects: PreparedEffects,
    lastOffset: bigint,
  ): Promise<ApplyResult | undefined> {
    if (lastOffset <= start.mark) return { applied: 0, alreadyApplied: effects.events + effects.alreadyApplied };
    const done = await this.redis.tallyApplyEffects(
      2 + effects.keys.length,
      keys.mark,
      keys.opened,
      ...effects.keys,
      String(start.mark),
      String(lastOffset),
      start.openCount,
      ...effects.args,
    );
    return done === 1 ? { applied: effects.events, alreadyApplied: effects.alreadyApplied } : undefined;
  }
}

function encode(effects: readonly Effect[]): { keys: RedisKey[]; args: (string | number)[] } {
  const keys: RedisKey[] = [];
  const index = new Map<RedisKey, number>();
  const keyIndex = (key: RedisKey): number => {
    let at = index.get(key);
    if (at === undefined) {
      keys.push(key);
      at = keys.length + 2; // KEYS[1] is the mark, KEYS[2] the open counter
      index.set(key, at);
    }
    return at;
  };
  const args: (string | number)[] = [];
  for (const e of effects) {
    switch (e.op) {
      case 'hincrby':
        if (e.flagNew === undefined) args.push('H', keyIndex(e.key), e.field, e.by, e.ttl);
        else args.push('C', keyIndex(e.key), e.field, e.by, e.ttl, keyIndex(e.flagNew.key), e.flagNew.field);
        break;
      case 'incrby':
        args.push('I', keyIndex(e.key), e.by, e.ttl);
        break;
      case 'pfadd':
        args.push('P', keyIndex(e.key), e.ttl, e.members.length, ...e.members);
        break;
      case 'sadd':
        args.push('S', keyIndex(e.key), e.member);
        break;
      case 'max':
        args.push('M', keyIndex(e.key), e.value, e.ttl);
        break;
      case 'hash-add':
        args.push('D', keyIndex(e.key), e.ttl, keyIndex(e.flagNew.key), e.flagNew.field, e.increments.size);
        for (const [field, by] of e.increments) args.push(field, String(by));
        break;
      case 'hash-extreme':
        args.push('X', keyIndex(e.key), e.field, String(e.value), e.keep);
        break;
    }
  }
  return { keys, args };
}
