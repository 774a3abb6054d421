import type { LiveFrame } from '@tally/contracts';
import { sleep } from '@tally/testing';
import type { CountReading } from './freshness';

/**
 * A `/v1/live` stream read in the background: every frame is kept with the instant the
 * test received it, so a count can be followed over time like a polled query.
 */
export class LiveFeed {
  private readonly frames: { readonly at: number; readonly frame: LiveFrame }[] = [];
  private readonly controller = new AbortController();
  private ended: Error | undefined;

  static async open(aggregationUrl: string, readKey: string): Promise<LiveFeed> {
    const feed = new LiveFeed();
    const response = await fetch(`${aggregationUrl}/v1/live`, {
      headers: { authorization: `Bearer ${readKey}` },
      signal: feed.controller.signal,
    });
    if (response.status !== 200 || response.body === null) {
      throw new Error(`/v1/live answered ${response.status}: ${await response.text()}`);
    }
    void feed.read(response.body.getReader());
    return feed;
  }

  /**
   * Readings of how many events arrived from `second` (Unix seconds) on. Each frame
   * covers the last minute by arrival second, so this holds while `second` is within
   * the last minute of every frame read.
   */
  countsSince(second: number): CountReading[] {
    return this.frames.map(({ at, frame }) => {
      const first = Math.floor(Date.parse(frame.at) / 1_000) - frame.seconds + 1;
      const count = frame.perSecond.reduce((sum, n, i) => (first + i >= second ? sum + n : sum), 0);
      return { at, count };
    });
  }

  /** Resolves once a frame counts `count` events from `second` on. */
  async reaches(second: number, count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.ended) throw this.ended;
      const last = this.countsSince(second).at(-1)?.count ?? 0;
      if (last >= count) return;
      if (Date.now() > deadline) throw new Error(`/v1/live counted ${last} events since ${second}, expected ${count}`);
      await sleep(50);
    }
  }

  close(): void {
    this.controller.abort();
  }

  private async read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) throw new Error('the live stream ended');
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const data = buffer
            .slice(0, end)
            .split('\n')
            .find((line) => line.startsWith('data: '));
          buffer = buffer.slice(end + 2);
          if (data) this.frames.push({ at: Date.now(), frame: JSON.parse(data.slice('data: '.length)) as LiveFrame });
        }
      }
    } catch (error) {
      if (!this.controller.signal.aborted) this.ended = new Error('the live stream failed', { cause: error });
    }
  }
}
