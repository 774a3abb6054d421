/** A query answer from aggregation-api as a dashboard reads it; anything but 200 throws. */
export async function readAnswer<T>(aggregationUrl: string, readKey: string, path: string): Promise<T> {
  const response = await fetch(`${aggregationUrl}${path}`, {
    headers: { authorization: `Bearer ${readKey}` },
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

/**
 * `from=&to=` for whole minutes covering [fromMs, toMs). Recent windows are answered from
 * the worker's Redis counters; minutes settled long ago may be read from MongoDB rollups,
 * which on FerretDB is slow, so tests keep their windows to the minutes they wrote.
 */
export function minuteWindow(fromMs: number, toMs: number): string {
  const minute = 60_000;
  const from = new Date(Math.floor(fromMs / minute) * minute).toISOString();
  const to = new Date(Math.ceil(toMs / minute) * minute).toISOString();
  return `from=${from}&to=${to}`;
}
