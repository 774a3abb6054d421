export { countedNameOf, userKeyOf } from './lib/counted-name';
export {
  RAW_EVENTS_COLLECTION,
  RAW_EVENTS_INDEXES,
  rawEventId,
  type RawEventDocument,
} from './lib/raw-events.collection';
export {
  LIVE_WINDOW_SECONDS,
  REALTIME_TTL_SECONDS,
  ROLLUP_PENDING_SET,
  pendingMinuteMember,
  realtimeKeys,
} from './lib/realtime-keys';
export { BUCKET_INTERVALS, BUCKET_MS, bucketOf, bucketStart, type BucketInterval } from './lib/time-buckets';
