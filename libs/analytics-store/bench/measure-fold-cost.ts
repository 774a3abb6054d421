/**
 * What `EventFold` costs per event on the scan path of `POST /v1/query`: events folded
 * per second of CPU for 200,000 synthetic page views (about 20 `props` each, as the
 * worker stores them), in batches of 1,000 as the scan reads them. A measurement, not a
 * test: run it on a quiet machine and read the numbers (docs/benchmarks.md keeps them).
 *
 *   npx tsx libs/analytics-store/bench/measure-fold-cost.ts
 */
import { EventFold, zonedBuckets, type EventFoldOptions, type FoldableEvent } from '../src';
import { foldableEvent } from '../src/lib/query/foldable-events.fixture';

const EVENTS = 200_000;
const BATCH = 1_000;
const USERS = 50_000;
const DAYS = 30;
const TZ = 'Europe/Paris';
const FROM_MS = Date.parse('2026-10-10T00:00:00Z');
const TO_MS = FROM_MS + DAYS * 86_400_000;

let seed = 42;
const random = (): number => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

const countries = ['DE', 'FR', 'US', 'GB', 'ES', 'IT', 'NL', 'BR', 'IN', 'JP'];
const paths = Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? `/pricing/${i}` : `/docs/${i}`));

function syntheticEvents(): FoldableEvent[] {
  return Array.from({ length: EVENTS }, () => {
    const path = pick(paths);
    return foldableEvent({
      name: pick(['$page', '$page', '$page', 'Signed Up', 'Order Completed']),
      userKey: `a:${Math.floor(random() * USERS)}-anon-5f0c9a`,
      at: FROM_MS + Math.floor(random() * (TO_MS - FROM_MS)),
      properties: {
        path,
        title: `Page ${path}`,
        plan: pick(['free', 'pro', 'team']),
        revenue: random() < 0.3 ? Math.round(random() * 10_000) / 100 : undefined,
        url: `https://acme.io${path}`,
      },
      context: {
        locale: pick(['en-US', 'de-DE', 'fr-FR']),
        timezone: pick(['Europe/Paris', 'America/New_York']),
        library: { name: 'analytics.js', version: 'npm:next-1.84.3' },
        page: { path, title: `Page ${path}`, url: `https://acme.io${path}` },
        campaign: { source: pick(['google', 'newsletter']), medium: 'cpc' },
      },
      standard: {
        $path: path,
        $country: pick(countries),
        $browser: pick(['Chrome', 'Safari', 'Firefox']),
        $os: pick(['Windows', 'macOS', 'iOS', 'Android']),
        $device: pick(['desktop', 'mobile']),
        $library: 'analytics.js',
        $utm_source: pick(['google', 'newsletter']),
      },
    });
  });
}

const window = { startMs: FROM_MS, endMs: TO_MS };
const days = zonedBuckets(FROM_MS, TO_MS, 'day', TZ);
const hours = zonedBuckets(FROM_MS, FROM_MS + 7 * 86_400_000, 'hour', TZ);
const base = { metrics: ['events'], breakdown: [], filters: [] };

const cases: [string, EventFoldOptions][] = [
  [
    'breakdown $country, filter plan neq free, uniques + sum',
    {
      ...base,
      metrics: ['events', 'uniques', 'sum:properties.revenue'],
      breakdown: ['$country'],
      filters: [{ field: 'properties.plan', op: 'neq', value: 'free' }],
      windows: [window],
    },
  ],
  [
    'the same, by day in Europe/Paris',
    {
      ...base,
      metrics: ['events', 'uniques', 'sum:properties.revenue'],
      breakdown: ['$country'],
      filters: [{ field: 'properties.plan', op: 'neq', value: 'free' }],
      windows: [{ ...window, buckets: days }],
    },
  ],
  ['events only, no breakdown, no filter', { ...base, windows: [window] }],
  [
    'two breakdowns ($path × plan), starts_with, uniques, hourly over 7 days',
    {
      ...base,
      metrics: ['events', 'uniques', 'avg:properties.revenue'],
      breakdown: ['$path', 'properties.plan'],
      filters: [{ field: '$path', op: 'starts_with', value: '/pricing' }],
      windows: [{ startMs: FROM_MS, endMs: FROM_MS + 7 * 86_400_000, buckets: hours }],
    },
  ],
];

/** CPU µs (this process's) to fold every event in batches and answer, after one run to warm up. */
function microsToFold(events: readonly FoldableEvent[], options: EventFoldOptions): { micros: number; rows: number } {
  const run = () => {
    const start = process.cpuUsage();
    const fold = new EventFold(options);
    for (let i = 0; i < events.length; i += BATCH) fold.add(events.slice(i, i + BATCH));
    const answer = fold.answer({ by: 'events', descending: true }, 100);
    const used = process.cpuUsage(start);
    return { micros: used.user + used.system, rows: answer.rows.length };
  };
  run();
  return run();
}

const events = syntheticEvents();
const meanProps = events.reduce((total, event) => total + event.props.length, 0) / events.length;
console.log(
  `node ${process.version}; ${EVENTS.toLocaleString('en')} events, ${meanProps.toFixed(1)} props each, ` +
    `${USERS.toLocaleString('en')} users, batches of ${BATCH}; CPU time, after one run to warm up\n`,
);
for (const [name, options] of cases) {
  const { micros, rows } = microsToFold(events, options);
  const perSecond = Math.round((events.length / micros) * 1e6).toLocaleString('en');
  const perBatch = ((micros / events.length) * BATCH) / 1_000;
  console.log(
    `${name.padEnd(72)} ${(micros / 1_000).toFixed(0).padStart(6)} ms ${perSecond.padStart(11)} events/s ` +
      `${perBatch.toFixed(2).padStart(6)} ms/batch ${String(rows).padStart(6)} rows`,
  );
}
