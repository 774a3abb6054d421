import type { TimeseriesAnswer } from '@tally/contracts';
import type { CreatedTenant } from '@tally/tenancy';
import { eventually, sleep } from '@tally/testing';
import { minuteWindow, readAnswer } from './aggregation-reads';
import { CountPoller, freshnessOf, median } from './freshness';
import { LiveFeed } from './live-feed';
import { sendPaced, type PacedAnswer } from './paced-requests';

/**
 * The well-behaved tenant of an isolation test: it sends a paced stream and follows it,
 * as a dashboard would, in `/v1/timeseries` and on `/v1/live`. Its runs alone and beside
 * a neighbour are compared by `judgeRound`.
 */
export interface SteadyTenant {
  readonly ingestUrl: string;
  readonly aggregationUrl: string;
  readonly tenant: CreatedTenant;
  /** The tenant's own `/v1/live` stream, open for the whole test. */
  readonly live: LiveFeed;
  readonly requestsPerSecond: number;
  readonly eventsPerRequest: number;
  readonly runMs: number;
}

/** The well-behaved tenant's quota: it sends 10 events/s, a fifth of it, so it is never refused. */
export const STEADY_QUOTA = { ingestEventsPerSecond: 50, ingestBurst: 50, queriesPerMinute: 3_000 };
/** How long each run of the steady stream sends. */
export const STEADY_RUN_MS = 8_000;
const STEADY_STREAM = { requestsPerSecond: 10, eventsPerRequest: 1 };

/**
 * The tenant ready for its runs: its `/v1/live` stream open (close it with
 * `steady.live.close()`) and one event through the whole path, so no key lookup or first
 * connection lands in a run. `warmUpAt` is when that event was sent.
 */
export async function openSteadyTenant(
  urls: { readonly ingestUrl: string; readonly aggregationUrl: string },
  tenant: CreatedTenant,
): Promise<{ steady: SteadyTenant; warmUpAt: number }> {
  const live = await LiveFeed.open(urls.aggregationUrl, tenant.readKey);
  const steady: SteadyTenant = {
    ingestUrl: urls.ingestUrl,
    aggregationUrl: urls.aggregationUrl,
    tenant,
    live,
    runMs: STEADY_RUN_MS,
    ...STEADY_STREAM,
  };
  return { steady, warmUpAt: await warmUp(steady) };
}

/** What the tenant's `/aggregation` must count once all its runs are in: each event it sent, once. */
export const countsSentIn = (runs: readonly SteadyRun[]): Record<string, number> => ({
  'Warm Up': 1,
  ...Object.fromEntries(runs.map((r) => [r.event, r.answers.reduce((sum, a) => sum + a.messageIds.length, 0)])),
});

/** One run of the steady stream, followed until every event shows. */
export interface SteadyRun {
  readonly event: string;
  readonly answers: readonly PacedAnswer[];
  /** Per event, from its 200 until `/v1/timeseries` counted it. */
  readonly queryFreshness: readonly number[];
  /** Per event, from its 200 until `/v1/live` counted it. */
  readonly liveFreshness: readonly number[];
  /** Every `/v1/timeseries` read of the run: how long it took to answer. */
  readonly queryLatency: readonly number[];
}

/** A tenant's count of one event name in a window, as a dashboard reads it. */
export const countOf = (aggregationUrl: string, tenant: CreatedTenant, event: string, window: string) => async () =>
  (
    await readAnswer<TimeseriesAnswer>(
      aggregationUrl,
      tenant.readKey,
      `/v1/timeseries?event=${encodeURIComponent(event)}&interval=minute&${window}`,
    )
  ).total;

/** One event named `Warm Up` through the whole path; resolves with when it was sent, once it is counted. */
async function warmUp(steady: SteadyTenant): Promise<number> {
  const answers = await sendPaced({
    ingestUrl: steady.ingestUrl,
    writeKey: steady.tenant.writeKey,
    event: 'Warm Up',
    durationMs: 1_000 / steady.requestsPerSecond,
    requestsPerSecond: steady.requestsPerSecond,
    eventsPerRequest: 1,
  });
  expect(answers.map((a) => a.status)).toEqual([200]);
  const sentAt = (answers[0] as PacedAnswer).sentAt;
  const window = minuteWindow(sentAt, Date.now() + 60_000);
  const count = countOf(steady.aggregationUrl, steady.tenant, 'Warm Up', window);
  await eventually(async () => expect(await count()).toBe(1), 60_000, 200);
  return sentAt;
}

/** Sends one run of events named `event` and follows it until all of them show, in both views. */
export async function runSteady(steady: SteadyTenant, event: string): Promise<SteadyRun> {
  // Start on a whole second, after all earlier events arrived: the live view counts by arrival second.
  await sleep(1_000 - (Date.now() % 1_000));
  const second = Math.floor(Date.now() / 1_000);
  const window = minuteWindow(Date.now(), Date.now() + 3 * 60_000);
  const poller = new CountPoller(countOf(steady.aggregationUrl, steady.tenant, event, window), 100);
  let answers: PacedAnswer[];
  try {
    answers = await sendPaced({
      ingestUrl: steady.ingestUrl,
      writeKey: steady.tenant.writeKey,
      event,
      durationMs: steady.runMs,
      requestsPerSecond: steady.requestsPerSecond,
      eventsPerRequest: steady.eventsPerRequest,
    });
    const sent = answers.length * steady.eventsPerRequest;
    await Promise.all([poller.reaches(sent, 60_000), steady.live.reaches(second, sent, 60_000)]);
  } finally {
    await poller.stop();
  }
  const acked = answers.map((a) => a.answeredAt);
  return {
    event,
    answers,
    queryFreshness: freshnessOf(acked, poller.readings),
    liveFreshness: freshnessOf(acked, steady.live.countsSince(second)),
    queryLatency: poller.latencies,
  };
}

/** The figures of a run that a neighbour may not make worse. */
export type SteadyMeasure = 'queryFreshnessMs' | 'liveFreshnessMs' | 'queryLatencyMs';

/** What the steady tenant saw over one or more runs. */
export type SteadyFigures = {
  readonly accepted: number;
  readonly acceptedPerSecond: number;
  readonly ingestMedianMs: number;
} & Readonly<Record<SteadyMeasure, number>>;

/** How runs beside a neighbour are held to runs alone. */
export interface Yardstick {
  /** The statistic of a measure's samples that is compared: a median, a p99. */
  readonly statistic: (values: readonly number[]) => number;
  /** For each measure judged, the most it may be beside the neighbour, given what it was alone. */
  readonly bounds: Readonly<Partial<Record<SteadyMeasure, (aloneMs: number) => number>>>;
}

export function figuresOf(yardstick: Yardstick, runMs: number, ...runs: SteadyRun[]): SteadyFigures {
  const answers = runs.flatMap((r) => r.answers);
  const accepted = answers.reduce((sum, a) => sum + a.accepted, 0);
  const of = (samples: (run: SteadyRun) => readonly number[]) =>
    Math.round(yardstick.statistic(runs.flatMap(samples)) * 10) / 10;
  return {
    accepted,
    // Per second of sending: the sender keeps its schedule whatever ingest-api does, so this
    // falls only by refusals or failures (latency is reported beside it; freshness counts from the 200).
    acceptedPerSecond: Math.round((accepted / ((runs.length * runMs) / 1_000)) * 100) / 100,
    ingestMedianMs: median(answers.map((a) => a.answeredAt - a.sentAt)),
    queryFreshnessMs: of((r) => r.queryFreshness),
    liveFreshnessMs: of((r) => r.liveFreshness),
    queryLatencyMs: of((r) => r.queryLatency),
  };
}

/** Runs of the steady tenant alone, then beside its neighbour, then alone again. */
export interface Round {
  readonly before: SteadyFigures;
  readonly beside: SteadyFigures;
  readonly after: SteadyFigures;
  /** Both runs alone, pooled: what the run beside the neighbour is held to. */
  readonly alone: SteadyFigures;
  /** `unjudged` when the two runs alone disagree: the machine changed during the round. */
  readonly verdict: 'holds' | 'slower' | 'unjudged';
}

/**
 * The steady tenant beside its neighbour against the same tenant alone: accepted rate
 * (at least 90 %) and every measure the yardstick bounds. The baseline is measured just
 * before and just after, and a round is judged only when those two agree within the
 * same bounds: a shared machine changes under a measurement (FerretDB, which the worker
 * writes every event through, was seen at 0.3 s and at 6 s of freshness from one minute
 * to the next while other runs used it), and a round across such a change says nothing.
 */
export function judgeRound(
  yardstick: Yardstick,
  runMs: number,
  before: SteadyRun,
  beside: SteadyRun,
  after: SteadyRun,
): Round {
  const figures = {
    before: figuresOf(yardstick, runMs, before),
    beside: figuresOf(yardstick, runMs, beside),
    after: figuresOf(yardstick, runMs, after),
  };
  const alone = figuresOf(yardstick, runMs, before, after);
  const bounded = Object.entries(yardstick.bounds) as [SteadyMeasure, (aloneMs: number) => number][];
  const within = (a: SteadyFigures, b: SteadyFigures) =>
    bounded.every(([measure, bound]) => a[measure] <= bound(b[measure]));
  const agree = within(figures.before, figures.after) && within(figures.after, figures.before);
  const holds = figures.beside.acceptedPerSecond >= alone.acceptedPerSecond * 0.9 && within(figures.beside, alone);
  return { ...figures, alone, verdict: !agree ? 'unjudged' : holds ? 'holds' : 'slower' };
}

/**
 * Plays rounds until one settles the question: the first that holds, or a second that
 * does not (at most `maxRounds`). Harm done by the neighbour shows in every round (a
 * lasting one as a slow run after it, so no round is ever judged); a stall of a shared
 * store by someone else's run shows in one.
 */
export async function playRounds(maxRounds: number, play: (round: number) => Promise<Round>): Promise<Round[]> {
  const rounds: Round[] = [];
  const settled = () =>
    rounds.some((r) => r.verdict === 'holds') || rounds.filter((r) => r.verdict === 'slower').length >= 2;
  for (let round = 1; round <= maxRounds && !settled(); round++) rounds.push(await play(round));
  return rounds;
}
