import { z } from 'zod';

/**
 * Timestamps as maintained Segment libraries really write them, all ISO-8601: `Z` or an
 * offset with or without its colon (`+00:00` from Python's isoformat, `+0000` from
 * Java's SimpleDateFormat), any number of fraction digits (Go writes nanoseconds,
 * Python microseconds), seconds optional, `T` or a space between date and time. A time
 * without an offset is UTC: it is what a library that forgot the zone meant on a
 * server, and reading it as the server's local time would make the answer depend on
 * where Tally runs.
 */
const CLIENT_INSTANT = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Milliseconds since the epoch of a client timestamp, or NaN when it is not one of the forms above. */
export function parseClientInstant(text: string): number {
  const match = CLIENT_INSTANT.exec(text);
  if (!match) return NaN;
  const [, year, month, day, hour, minute, second = '00', fraction = '', zone = 'Z'] = match;
  // Date.parse rolls an impossible day over (02-31 becomes 03-03): refuse it instead.
  if (Number(day) < 1 || Number(day) > daysIn(Number(year), Number(month))) return NaN;
  const offset = zone === 'Z' || zone === 'z' ? 'Z' : normalOffset(zone);
  const millis = fraction ? fraction.slice(0, 4).padEnd(4, '0') : '.000';
  return Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}${millis}${offset}`);
}

function daysIn(year: number, month: number): number {
  if (month < 1 || month > 12) return 0;
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function normalOffset(zone: string): string {
  const digits = zone.slice(1).replace(':', '');
  return `${zone[0]}${digits.slice(0, 2)}:${(digits.slice(2) || '00').padEnd(2, '0')}`;
}

/** A client's timestamp field: kept as the client wrote it, checked to be an instant Tally can read. */
export const clientTimestampSchema = z
  .string({ error: 'must be an ISO-8601 date-time, e.g. 2026-01-02T03:04:05.678Z' })
  .refine((text) => text.length <= 64 && Number.isFinite(parseClientInstant(text)), {
    message: 'must be an ISO-8601 date-time, e.g. 2026-01-02T03:04:05.678Z',
  })
  .meta({ type: 'string', format: 'date-time' });
