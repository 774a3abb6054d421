import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type Redis from 'ioredis';
import { LIVE_WINDOW_SECONDS, realtimeKeys } from '@tally/analytics-store';
import type { LiveFrame } from '@tally/contracts';
import { REDIS_CLIENT } from '@tally/redis';
import type { TenantId } from '@tally/tenant-scope';
import { LiveStreamRegistry } from './live-stream.registry';

export const LIVE_OPTIONS = Symbol('LIVE_OPTIONS');

export interface LiveOptions {
  /** Open `/v1/live` streams one tenant may hold, on all replicas together. */
  readonly maxStreamsPerTenant: number;
  /** How often frames are pushed. */
  readonly pushIntervalMs: number;
}

/** One open stream, as the hub drives it. */
export interface LiveListener {
  /** Writes a frame; false (nothing written) while the client has not read the earlier ones. */
  frame(frame: LiveFrame): boolean;
  /** Ends the stream, telling the client why. */
  end(reason: string): void;
  /** Whether the key that opened the stream may still read (not revoked, its tenant not disabled). */
  stillAuthorized(): Promise<boolean>;
}

interface Stream {
  readonly id: string;
  /** Since when frames have been skipped because the client did not read; undefined while it keeps up. */
  skippingSinceMs: number | undefined;
}

interface Feed {
  readonly streams: Map<LiveListener, Stream>;
  readonly timer: NodeJS.Timeout;
}

/** How often every open stream's key is checked again, and its place renewed. */
export const LIVE_CHECK_INTERVAL_MS = 2_000;
/** A client whose frames have been skipped (it read nothing) for this long is let go. */
export const LIVE_STALL_MS = 30_000;

export const END_REASONS = {
  revoked: 'the key was revoked or its tenant disabled',
  stalled: 'the client read nothing for 30 s',
  shutdown: 'the server is restarting; reconnect',
} as const;

/**
 * One feed per tenant with open `/v1/live` streams on this replica: every push interval
 * it reads the tenant's per-second arrival counters for the last minute (one MGET,
 * however many streams are open) and pushes the frame to each stream. A stream holds a
 * place among its tenant's streams on every replica (`LiveStreamRegistry`), ends within
 * seconds once its key stops being valid, and a client that does not read is skipped,
 * then let go, instead of buffering frames without end.
 */
@Injectable()
export class LiveActivityHub implements BeforeApplicationShutdown {
  private readonly feeds = new Map<TenantId, Feed>();
  private readonly checks: NodeJS.Timeout;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(LIVE_OPTIONS) private readonly options: LiveOptions,
    private readonly registry: LiveStreamRegistry,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(LiveActivityHub.name);
    this.checks = setInterval(() => void this.checkStreams(), LIVE_CHECK_INTERVAL_MS);
    this.checks.unref();
  }

  /** Adds a stream; undefined when the tenant already holds the most streams allowed. */
  async subscribe(tenantId: TenantId, listener: LiveListener): Promise<(() => void) | undefined> {
    const id = await this.registry.claim(tenantId, this.options.maxStreamsPerTenant);
    if (id === undefined) return undefined;
    let feed = this.feeds.get(tenantId);
    if (!feed) {
      feed = { streams: new Map(), timer: setInterval(() => void this.push(tenantId), this.options.pushIntervalMs) };
      this.feeds.set(tenantId, feed);
    }
    feed.streams.set(listener, { id, skippingSinceMs: undefined });
    void this.push(tenantId);
    return () => this.unsubscribe(tenantId, listener);
  }

  streams(tenantId: TenantId): number {
    return this.feeds.get(tenantId)?.streams.size ?? 0;
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.checks);
    for (const [tenantId, feed] of this.feeds) {
      for (const listener of [...feed.streams.keys()]) this.end(tenantId, listener, END_REASONS.shutdown);
    }
  }

  /** Renews the places of open streams, ends those whose key no longer holds or whose client stalled. */
  async checkStreams(nowMs = Date.now()): Promise<void> {
    await Promise.all(
      [...this.feeds].map(async ([tenantId, feed]) => {
        const streams = [...feed.streams];
        await Promise.all(
          streams.map(async ([listener, stream]) => {
            if (stream.skippingSinceMs !== undefined && nowMs - stream.skippingSinceMs >= LIVE_STALL_MS) {
              return this.end(tenantId, listener, END_REASONS.stalled);
            }
            const authorized = await listener.stillAuthorized().catch(() => true); // a lookup that failed proves nothing
            if (!authorized) this.end(tenantId, listener, END_REASONS.revoked);
          }),
        );
        const open = [...feed.streams.values()].map((s) => s.id);
        await this.registry
          .renew(tenantId, open, nowMs)
          .catch((error: unknown) => this.logger.warn({ err: error }, 'could not renew live stream places'));
      }),
    );
  }

  private end(tenantId: TenantId, listener: LiveListener, reason: string): void {
    listener.end(reason);
    this.unsubscribe(tenantId, listener);
  }

  private unsubscribe(tenantId: TenantId, listener: LiveListener): void {
    const feed = this.feeds.get(tenantId);
    const stream = feed?.streams.get(listener);
    if (!feed || !stream) return;
    feed.streams.delete(listener);
    void this.registry
      .release(tenantId, stream.id)
      .catch((error: unknown) => this.logger.warn({ err: error }, 'could not give a live stream place back'));
    if (feed.streams.size === 0) {
      clearInterval(feed.timer);
      this.feeds.delete(tenantId);
    }
  }

  private async push(tenantId: TenantId): Promise<void> {
    const feed = this.feeds.get(tenantId);
    if (!feed) return;
    try {
      const nowMs = Date.now();
      const frame = await this.frameOf(tenantId, nowMs);
      for (const [listener, stream] of feed.streams) {
        // A frame a client is not ready for is skipped: the next one carries the whole minute again.
        if (listener.frame(frame)) stream.skippingSinceMs = undefined;
        else stream.skippingSinceMs ??= nowMs;
      }
    } catch (error) {
      // A missed frame is harmless: the next one carries the whole last minute again.
      this.logger.warn({ err: error }, 'could not read live activity');
    }
  }

  private async frameOf(tenantId: TenantId, nowMs: number): Promise<LiveFrame> {
    const last = Math.floor(nowMs / 1000);
    const seconds = Array.from({ length: LIVE_WINDOW_SECONDS }, (_, i) => last - LIVE_WINDOW_SECONDS + 1 + i);
    const values = await this.redis.mget(seconds.map((s) => realtimeKeys.live(tenantId, s)));
    const perSecond = values.map((v) => Number(v ?? 0));
    return {
      at: new Date(nowMs).toISOString(),
      seconds: LIVE_WINDOW_SECONDS,
      perSecond,
      total: perSecond.reduce((sum, n) => sum + n, 0),
    };
  }
}
