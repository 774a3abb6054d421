import { Agent, request } from 'node:http';
import autocannon from 'autocannon';

export interface LoadResult {
  readonly requestsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly requests: number;
}

export interface LoadSpec {
  readonly url: string;
  readonly body: string;
  readonly headers: Record<string, string>;
  readonly connections: number;
  readonly seconds: number;
}

/** Drives one endpoint with autocannon (keep-alive, closed loop) and reports its figures. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const result = await autocannon({
    url: spec.url,
    method: 'POST',
    body: spec.body,
    headers: { 'content-type': 'application/json', ...spec.headers },
    connections: spec.connections,
    duration: spec.seconds,
  });
  return {
    requestsPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    requests: result.requests.total,
  };
}

export interface FixedRateSpec {
  /** `http://host:port` of the server. */
  readonly origin: string;
  /** The path (and query) of request number `i`: the same for every i, or one per request. */
  readonly path: (i: number) => string;
  readonly headers: Record<string, string>;
  readonly ratePerSec: number;
  readonly seconds: number;
  /** Connections (and so requests in flight) at most; a request due while all are busy waits for one. */
  readonly maxInFlight: number;
  /** Number of the first request (a warm-up and the measurement can then ask different questions). */
  readonly firstIndex?: number;
  /** The body of request number `i`: a POST then (otherwise a GET). */
  readonly body?: (i: number) => string;
}

export interface FixedRateResult {
  readonly targetPerSec: number;
  /** 2xx answers over the time from the first send to the last answer. */
  readonly achievedPerSec: number;
  /** Requests due in the window (rate × seconds). */
  readonly due: number;
  readonly sent: number;
  /** Due in the window but never sent: every connection was still busy when the window closed. */
  readonly unsent: number;
  /** Latency from when the request was due (open loop: queueing behind a slow server counts). */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Latency from when the request actually left (what a closed-loop tool would report). */
  readonly serviceP50Ms: number;
  readonly serviceP99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
  /** Share of 2xx answers that carried `X-Cache: hit`. */
  readonly hitRatio: number;
}

const DRAIN_TIMEOUT_MS = 30_000;

/**
 * Open-loop load at a fixed rate (the wrk2 way): request i is due at start + i / rate
 * whatever happened to the earlier ones, and its latency is counted from then, so a
 * server that falls behind shows it in the percentiles instead of quietly slowing the
 * load down (autocannon's closed loop does that). Keep-alive connections; GET, or POST
 * when the spec gives bodies.
 */
export async function runFixedRate(spec: FixedRateSpec): Promise<FixedRateResult> {
  const url = new URL(spec.origin);
  const agent = new Agent({ keepAlive: true, maxSockets: spec.maxInFlight });
  const due = Math.round(spec.ratePerSec * spec.seconds);
  const first = spec.firstIndex ?? 0;
  const intervalMs = 1_000 / spec.ratePerSec;
  const latencies: number[] = [];
  const service: number[] = [];
  let sent = 0;
  let inFlight = 0;
  let ok = 0;
  let hits = 0;
  let non2xx = 0;
  let errors = 0;
  let lastAnswerAt = 0;
  const startedAt = performance.now();
  const windowEnd = startedAt + spec.seconds * 1_000;
  let closed = false;
  let finished = false;

  return new Promise<FixedRateResult>((resolve) => {
    const finish = () => {
      if (finished) return;
      finished = true;
      clearInterval(ticker);
      clearTimeout(drainTimer);
      // Anything still unanswered after the drain timeout counts as an error.
      const abandoned = inFlight;
      agent.destroy();
      const elapsedS = (lastAnswerAt - startedAt) / 1_000;
      resolve({
        targetPerSec: spec.ratePerSec,
        achievedPerSec: elapsedS > 0 ? Math.round((ok / elapsedS) * 10) / 10 : 0,
        due,
        sent,
        unsent: due - sent,
        p50Ms: percentile(latencies, 0.5),
        p99Ms: percentile(latencies, 0.99),
        maxMs: percentile(latencies, 1),
        serviceP50Ms: percentile(service, 0.5),
        serviceP99Ms: percentile(service, 0.99),
        non2xx,
        errors: errors + abandoned,
        hitRatio: ok > 0 ? Math.round((hits / ok) * 1_000) / 1_000 : 0,
      });
    };
    let drainTimer: NodeJS.Timeout | undefined;
    const settle = () => {
      if (finished) return;
      inFlight -= 1;
      lastAnswerAt = performance.now();
      if (closed && inFlight === 0) finish();
      else pump();
    };
    const send = (n: number) => {
      const dueAt = startedAt + n * intervalMs;
      const sentAt = performance.now();
      inFlight += 1;
      sent += 1;
      let settled = false;
      const answered = (status: number, hit: boolean) => {
        if (settled) return;
        settled = true;
        const now = performance.now();
        if (status >= 200 && status < 300) {
          ok += 1;
          if (hit) hits += 1;
          latencies.push(now - dueAt);
          service.push(now - sentAt);
        } else if (status > 0) {
          non2xx += 1;
        } else {
          errors += 1;
        }
        settle();
      };
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method: spec.body ? 'POST' : 'GET',
          path: spec.path(first + n),
          headers: spec.headers,
          timeout: DRAIN_TIMEOUT_MS,
        },
        (res) => {
          res.on('error', () => answered(0, false));
          res.on('end', () => answered(res.statusCode ?? 0, res.headers['x-cache'] === 'hit'));
          res.resume();
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', () => answered(0, false));
      req.end(spec.body?.(first + n));
    };
    const pump = () => {
      if (closed) return;
      const now = performance.now();
      const over = now >= windowEnd;
      const dueNow = over ? due : Math.min(due, Math.floor((now - startedAt) / intervalMs) + 1);
      while (sent < dueNow && inFlight < spec.maxInFlight) send(sent);
      if (over) {
        closed = true;
        if (inFlight === 0) finish();
        else drainTimer = setTimeout(finish, DRAIN_TIMEOUT_MS);
      }
    };
    const ticker = setInterval(pump, 1);
    pump();
  });
}

export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  const at = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return Math.round((sorted[at] ?? 0) * 100) / 100;
}
