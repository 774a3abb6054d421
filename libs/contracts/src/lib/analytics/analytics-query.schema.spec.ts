import { analyticsQuerySchemas } from './analytics-query.schema';

const { timeseries } = analyticsQuerySchemas(() => Date.parse('2026-11-28T12:00:00Z'));
const tzOf = (tz: string) => timeseries.safeParse({ tz });

describe('timeseries tz', () => {
  it('takes IANA zones, the second time as the first', () => {
    for (let round = 0; round < 2; round++) {
      for (const tz of ['UTC', 'Europe/Paris', 'America/Argentina/Buenos_Aires', 'Asia/Kolkata']) {
        expect(tzOf(tz).data?.tz).toBe(tz);
      }
    }
  });

  it('refuses what is not a zone, however often it is asked and however many zones were seen before', () => {
    // Case variants are valid zones: more of them than the remembered zones' bound.
    const variants = Array.from({ length: 1_100 }, (_, i) =>
      [...'europe/paris'].map((c, j) => ((i >> j) & 1 ? c.toUpperCase() : c)).join(''),
    );
    for (const tz of variants) expect(tzOf(tz).success).toBe(true);
    for (let round = 0; round < 2; round++) {
      for (const tz of ['Mars/Olympus_Mons', 'Europe/Pariss', '+25:00', '']) {
        expect(tzOf(tz).error?.issues[0]?.message).toBe('must be an IANA time zone such as UTC or Europe/Paris');
      }
    }
  });
});
