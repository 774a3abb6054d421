import { clientTimestampSchema, parseClientInstant } from './client-timestamp';

describe('client timestamps', () => {
  it.each([
    ['2026-12-02T07:39:08.123Z', '2026-12-02T07:39:08.123Z'], // analytics.js, analytics-node, Java
    ['2026-12-02T07:39:08.123456+00:00', '2026-12-02T07:39:08.123Z'], // Python isoformat
    ['2026-12-02T08:39:08+01:00', '2026-12-02T07:39:08.000Z'], // PHP date('c')
    ['2026-12-02T07:39:08.123456789Z', '2026-12-02T07:39:08.123Z'], // Go RFC3339Nano
    ['2026-12-02T07:39:08.123+0000', '2026-12-02T07:39:08.123Z'], // SimpleDateFormat's Z
    ['2026-12-02T12:39:08+05', '2026-12-02T07:39:08.000Z'],
    ['2026-12-02 07:39:08Z', '2026-12-02T07:39:08.000Z'],
    ['2026-12-02T07:39Z', '2026-12-02T07:39:00.000Z'],
    ['2026-12-02T07:39:08', '2026-12-02T07:39:08.000Z'], // no zone: UTC, whatever the server's zone
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
  ])('reads %s as the instant %s', (text, instant) => {
    expect(new Date(parseClientInstant(text)).toISOString()).toBe(instant);
    expect(clientTimestampSchema.safeParse(text).success).toBe(true);
  });

  it.each(['yesterday', '2026-02-31T00:00:00Z', '2026-13-01T00:00:00Z', '2026-12-02T25:00:00Z', '1733125148', ''])(
    'refuses %j, which names no instant',
    (text) => {
      expect(parseClientInstant(text)).toBeNaN();
      expect(clientTimestampSchema.safeParse(text).success).toBe(false);
    },
  );
});
