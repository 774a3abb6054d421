export {
  MAX_NAMES_PER_ROLLUP,
  MAX_TRACK_NAMES_PER_TENANT,
  OTHER_EVENT_NAME,
  countedNameOf,
  isBuiltInName,
  userKeyOf,
} from './lib/counted-name';
export {
  COUNTED_STANDARD_DIMENSIONS,
  NOTHING_COUNTED,
  countedFieldsAt,
  countsAt,
  type CountedFields,
} from './lib/dimension-counters/counted-fields';
export {
  DIMENSION_LIMITS,
  DIMENSION_TTL_SECONDS,
  EVENT_DIMENSION,
  MAX_MEASURE_MAGNITUDE,
  NONE_VALUE,
  OTHER_VALUE,
  OVERFLOW_FIELD_PREFIX,
  dimensionField,
  dimensionKeys,
  freshDimensionsField,
  measureMicrosOf,
  type DimensionField,
  type DimensionFieldKind,
} from './lib/dimension-counters/dimension-keys';
export {
  admissionMember,
  admittedDimensionsOf,
  dimensionValuesOf,
  type CountedMeasure,
  type EventDimensions,
} from './lib/dimension-counters/dimension-values';
export { dimensionValueOf } from './lib/event-fields/dimension-value';
export {
  MAX_FIELD_DEPTH,
  MAX_LEAVES_PER_EVENT,
  eventFieldsOf,
  type EventFields,
  type NumericField,
} from './lib/event-fields/event-fields';
export {
  FIELD_ROOTS,
  MAX_FIELD_KEY_LENGTH,
  fieldPath,
  type FieldPath,
  type FieldRoot,
  type StandardDimensionKey,
} from './lib/event-fields/field-path.codec';
export { idsByTenant } from './lib/ids-by-tenant';
export {
  ANALYTICS_CHANGES_CHANNEL,
  AnalyticsSettingsAdmin,
  AnalyticsSettingsContendedError,
  AnalyticsSettingsRefusedError,
  type AnnounceChange,
  type DeclaredList,
  type DeclaredLists,
} from './lib/settings/analytics-settings.admin';
export {
  AnalyticsSettingsRepository,
  type AnalyticsSettingsVersions,
} from './lib/settings/analytics-settings.repository';
export {
  ANALYTICS_SETTINGS_COLLECTION,
  ANALYTICS_SETTINGS_INDEXES,
  DECLARATION_MARGIN_MS,
  MAX_DECLARATION_HISTORY,
  analyticsSettingsId,
  declarationsAfter,
  fieldsCountingAt,
  type AnalyticsSettingsDocument,
  type CountingPeriod,
  type DeclaredField,
} from './lib/settings/analytics-settings.document';
export { planQuery, type CountedDimensions, type QueryPlan, type QueryPlanFacts } from './lib/query-plan/plan-query';
export { rawEventFieldsOf } from './lib/event-fields/raw-event-fields';
export {
  ENTRY_SEPARATOR,
  storedFields,
  type QueryableFields,
  type StoredFields,
} from './lib/event-fields/stored-fields.codec';
export {
  fieldPredicateOf,
  matchesAll,
  matchesFilter,
  type FieldFilter,
  type FieldPredicate,
} from './lib/query/field-predicate';
export {
  EventFold,
  FOLD_LIMITS,
  FoldBoundError,
  type EventFoldOptions,
  type FoldAnswer,
  type FoldOrder,
  type FoldRow,
  type FoldWindow,
} from './lib/query/fold-events';
export { numValueOf, propValueOf, type FoldableEvent } from './lib/query/foldable-event';
export { scanPrefilterOf, type ScanSelection } from './lib/query/scan-prefilter';
export {
  RAW_EVENTS_COLLECTION,
  RAW_EVENTS_INDEXES,
  RAW_EVENT_VERSION,
  rawEventId,
  type RawEventDocument,
  type RawEventDocumentV1,
  type StoredRawEvent,
} from './lib/raw-events.collection';
export {
  LIVE_WINDOW_SECONDS,
  REALTIME_TTL_SECONDS,
  DIRTY_TENANTS_SET,
  ROLLUP_STATE_TTL_SECONDS,
  dirtyMinutesOf,
  freshCountersField,
  realtimeKeys,
  rollupKeys,
} from './lib/realtime-keys';
export {
  ROLLUPS_COLLECTION,
  ROLLUPS_INDEXES,
  ROLLUP_SKETCHES_COLLECTION,
  rollupId,
  type NameRollup,
  type NameUniques,
  type RollupDocument,
  type RollupSketchDocument,
} from './lib/rollups.collection';
export { BUCKET_INTERVALS, BUCKET_MS, bucketOf, bucketStart, type BucketInterval } from './lib/time-buckets';
export {
  previousPeriodOf,
  zonedBucketCount,
  zonedBuckets,
  type ZonedBucket,
  type ZonedInterval,
} from './lib/time/zoned-buckets';
