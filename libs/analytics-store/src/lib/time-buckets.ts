/**
 * Time buckets are whole UTC minutes, hours and days counted from the Unix epoch, so a
 * bucket is one integer: equal in every store, cheap to compare, and (on FerretDB) an
 * equality filter that is pushed down to SQL instead of a range scanned in Go.
 */
export const BUCKET_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

export type BucketInterval = keyof typeof BUCKET_MS;

export const BUCKET_INTERVALS = Object.keys(BUCKET_MS) as BucketInterval[];

/** The bucket number of an instant. */
export const bucketOf = (epochMs: number, interval: BucketInterval): number =>
  Math.floor(epochMs / BUCKET_MS[interval]);

/** The first instant of a bucket. */
export const bucketStart = (bucket: number, interval: BucketInterval): Date => new Date(bucket * BUCKET_MS[interval]);
