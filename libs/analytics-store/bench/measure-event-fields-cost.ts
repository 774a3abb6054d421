/**
 * What `eventFieldsOf` costs per event, for the shapes of event the worker sees. A
 * measurement, not a test: run it on a quiet machine and read the numbers
 * (docs/benchmarks.md keeps the last ones).
 *
 *   npx tsx libs/analytics-store/bench/measure-event-fields-cost.ts
 */
import type { SegmentEvent } from '@tally/contracts';
import { standardDimensionsOf, type StandardDimensions } from '@tally/event-dimensions';
import { eventFieldsOf } from '../src';
import {
  analyticsJsPageView,
  serverOrderCompleted,
  unvalidatedEvent,
} from '../src/lib/event-fields/segment-events.fixture';

const CALLS = 200_000;

/**
 * Mean µs of CPU per call (this process's, so time the scheduler gave other processes on
 * a shared machine is not counted) over `CALLS` calls, after as many to warm up.
 */
function microsPerCall<T>(items: readonly T[], run: (item: T) => unknown, calls = CALLS): number {
  const pass = () => {
    const start = process.cpuUsage();
    for (let i = 0; i < calls; i++) run(items[i % items.length] as T);
    const used = process.cpuUsage(start);
    return (used.user + used.system) / calls;
  };
  pass();
  return pass();
}

/** As the worker holds an event: parsed from JSON text, so every string is flat. */
const asReceived = (event: SegmentEvent): SegmentEvent => JSON.parse(JSON.stringify(event)) as SegmentEvent;

/** The page view on 100 paths, as a site's traffic varies. */
const pageViews = Array.from({ length: 100 }, (_, i) => {
  const event = analyticsJsPageView();
  (event.properties as Record<string, unknown>)['path'] = `/pricing/${i}`;
  return asReceived(event);
});
const orders = Array.from({ length: 100 }, (_, i) => {
  const event = serverOrderCompleted();
  (event.properties as Record<string, unknown>)['revenue'] = 10 + i / 100;
  return asReceived(event);
});
/** 300 leaves with keys to escape and values of 1 KB to cut. */
const escapedAndLong = [
  asReceived(
    unvalidatedEvent({
      properties: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`a.b=c%${i}`, 'v'.repeat(1_000) + i])),
    }),
  ),
];
/** About the most leaves an event within the contract's 32 KB holds: thousands of `"k":1`. */
const tinyLeaves: Record<string, number> = {};
for (let i = 0; JSON.stringify(tinyLeaves).length < 32_000; i++) tinyLeaves[i.toString(36)] = 1;
const mostLeaves = [asReceived(unvalidatedEvent({ properties: tinyLeaves }))];

const dimensionsOf = new Map<SegmentEvent, StandardDimensions>(
  [...pageViews, ...orders, ...escapedAndLong, ...mostLeaves].map((event) => [event, standardDimensionsOf(event)]),
);
const fieldsOf = (event: SegmentEvent) => eventFieldsOf(event, dimensionsOf.get(event) as StandardDimensions);

const cases: [string, () => number][] = [
  ['analytics.js page view', () => microsPerCall(pageViews, fieldsOf)],
  ['server-side track event (a number, an array)', () => microsPerCall(orders, fieldsOf)],
  [
    'page view, with standardDimensionsOf (agent cached)',
    () => microsPerCall(pageViews, (event) => eventFieldsOf(event, standardDimensionsOf(event))),
  ],
  ['300 escaped keys, 1 KB values (past the leaf bound)', () => microsPerCall(escapedAndLong, fieldsOf, 5_000)],
  [
    `${Object.keys(tinyLeaves).length.toLocaleString('en')} leaves in 32 KB (about the most it holds)`,
    () => microsPerCall(mostLeaves, fieldsOf, 1_000),
  ],
  [
    '(for reference) JSON.parse of that 32 KB event',
    () => microsPerCall([JSON.stringify(mostLeaves[0])], (text) => JSON.parse(text), 1_000),
  ],
];

console.log(`node ${process.version}, CPU time per call, after as many calls to warm up\n`);
for (const [name, measure] of cases) {
  const micros = measure();
  const perCore = Math.round(1_000_000 / micros).toLocaleString('en');
  console.log(`${name.padEnd(56)} ${micros.toFixed(2).padStart(8)} µs ${perCore.padStart(10)} events/s per core`);
}
