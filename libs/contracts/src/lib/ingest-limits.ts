/** Size limits of the ingestion contract, measured on the decoded (decompressed) JSON. */
export const INGEST_LIMITS = {
  /** One event, serialised. */
  maxEventBytes: 32 * 1024,
  /** One request body, after gzip/deflate decoding. */
  maxRequestBytes: 500 * 1024,
  /** Events in one batch; 500 KB of minimal events is far fewer than this. */
  maxBatchEvents: 2_500,
  /** Levels of objects and arrays in one event, the event itself included; real events use a handful. */
  maxEventDepth: 64,
} as const;
