/**
 * What `standardDimensionsOf` costs per event, for the shapes of event the worker sees.
 * A measurement, not a test: run it on a quiet machine and read the numbers
 * (docs/decisions/0008-standard-dimensions.md keeps the last ones).
 *
 *   npx tsx libs/event-dimensions/bench/measure-dimensions-cost.ts
 */
import type { SegmentEvent } from '@tally/contracts';
import Bowser from 'bowser';
import { standardDimensionsOf } from '../src';
import { USER_AGENTS, analyticsJsPage, analyticsJsTrack, serverEvent } from '../src/lib/segment-events.fixture';

const ROUNDS = 100_000;

/** Mean µs per call of `run(items[i % n])` over `rounds` calls, after a warm-up of the same length. */
function microsPerCall<T>(items: readonly T[], run: (item: T) => unknown, rounds = ROUNDS): number {
  for (let i = 0; i < rounds; i++) run(items[i % items.length] as T);
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) run(items[i % items.length] as T);
  return Number(process.hrtime.bigint() - start) / rounds / 1_000;
}

const landing = (userAgent: string, i = 0): SegmentEvent =>
  analyticsJsPage({
    url: `https://acme.io/pricing/${i % 50}?utm_source=google&utm_medium=cpc&utm_campaign=brand`,
    referrer: 'https://www.google.com/',
    userAgent,
    context: { location: { country: 'Germany' } },
  });

const realAgents = Object.values(USER_AGENTS);
/** Another user agent for every event: what a tenant forging them would cost (Chrome with a new build number each time). */
const freshAgent = (i: number) => USER_AGENTS.chromeWindows.replace('131.0.0.0', `131.0.${i}.0`);

const cases: [string, () => number][] = [
  [
    'analytics.js page view, user agent cached',
    () => microsPerCall([landing(USER_AGENTS.safariIphone)], standardDimensionsOf),
  ],
  [
    'analytics.js track event, 21 user agents cached',
    () =>
      microsPerCall(
        realAgents.map((userAgent, i) => analyticsJsTrack({ url: `https://acme.io/app/${i}`, userAgent }, 'Clicked')),
        standardDimensionsOf,
      ),
  ],
  [
    'server-side track event (no page, no user agent)',
    () =>
      microsPerCall([serverEvent('@segment/analytics-node', { type: 'track', event: 'Paid' })], standardDimensionsOf),
  ],
  [
    'analytics.js page view, a new user agent every event',
    () => {
      const events = Array.from({ length: 40_000 }, (_, i) => landing(freshAgent(ROUNDS + i), i));
      return microsPerCall(events, standardDimensionsOf, events.length / 2);
    },
  ],
  [
    'Bowser alone, one parse (for reference)',
    () => microsPerCall(realAgents, (ua) => Bowser.getParser(ua).getPlatformType()),
  ],
];

console.log(`node ${process.version}, ${ROUNDS.toLocaleString('en')} calls per case after as many to warm up\n`);
for (const [name, measure] of cases) {
  const micros = measure();
  const perCore = Math.round(1_000_000 / micros).toLocaleString('en');
  console.log(`${name.padEnd(56)} ${micros.toFixed(2).padStart(7)} µs   ${perCore.padStart(11)} events/s per core`);
}
