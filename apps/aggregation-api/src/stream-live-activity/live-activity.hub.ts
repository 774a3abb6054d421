import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type Redis from 'ioredis';
import { LIVE_WINDOW_SECONDS, realtimeKeys } from '@tally/analytics-store';
import type { LiveFrame } from '@tally/contracts';
import { REDIS_CLIENT } from '@tally/redis';
import type { TenantId } from '@tally/tenancy';

export const LIVE_OPTIONS = Symbol('LIVE_OPTIONS');

export interface LiveOptions {
  /** Open `/v1/live` streams one tenant may hold on this replica. */
  readonly maxStreamsPerTenant: number;
  /** How often frames are pushed. */
  readonly pushIntervalMs: number;
}

export interface LiveListener {
  frame(frame: LiveFrame): void;
  end(): void;
}

interface Feed {
  readonly listeners: Set<LiveListener>;
  readonly timer: NodeJS.Timeout;
}

/**
 * One feed per tenant with open `/v1/live` streams on this replica: every push interval
 * it reads the tenant's per-second arrival counters for the last minute (one MGET,
 * however many streams are open) and pushes the frame to each stream.
 */
@Injectable()
export class LiveActivityHub implements BeforeApplicationShutdown {
  private readonly feeds = new Map<TenantId, Feed>();

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(LIVE_OPTIONS) private readonly options: LiveOptions,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(LiveActivityHub.name);
  }

  /** Adds a stream; undefined when the tenant already holds the most streams allowed. */
  subscribe(tenantId: TenantId, listener: LiveListener): (() => void) | undefined {
    let feed = this.feeds.get(tenantId);
    if (feed && feed.listeners.size >= this.options.maxStreamsPerTenant) return undefined;
    if (!feed) {
      feed = { listeners: new Set(), timer: setInterval(() => void this.push(tenantId), this.options.pushIntervalMs) };
      this.feeds.set(tenantId, feed);
    }
    feed.listeners.add(listener);
    void this.push(tenantId);
    return () => this.unsubscribe(tenantId, listener);
  }

  streams(tenantId: TenantId): number {
    return this.feeds.get(tenantId)?.listeners.size ?? 0;
  }

  beforeApplicationShutdown(): void {
    for (const [tenantId, feed] of this.feeds) {
      for (const listener of feed.listeners) listener.end();
      clearInterval(feed.timer);
      this.feeds.delete(tenantId);
    }
  }

  private unsubscribe(tenantId: TenantId, listener: LiveListener): void {
    const feed = this.feeds.get(tenantId);
    if (!feed) return;
    feed.listeners.delete(listener);
    if (feed.listeners.size === 0) {
      clearInterval(feed.timer);
      this.feeds.delete(tenantId);
    }
  }

  private async push(tenantId: TenantId): Promise<void> {
    const feed = this.feeds.get(tenantId);
    if (!feed) return;
    try {
      const frame = await this.frameOf(tenantId, Date.now());
      for (const listener of feed.listeners) listener.frame(frame);
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
