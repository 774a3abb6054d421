export { describeIssues, summariseProblems, type FieldProblem } from './lib/describe-issues.util';
export {
  EVENT_ENVELOPE_VERSION,
  eventEnvelopeHeaderV1Schema,
  eventEnvelopeV1Schema,
  type EventEnvelopeHeaderV1,
  type EventEnvelopeV1,
} from './lib/envelope/event-envelope.schema';
export { INGEST_LIMITS } from './lib/ingest-limits';
export { ALL_TOPICS, DEFAULT_PROCESSOR_GROUP_ID, TOPICS, deadLetterTopicOf, type TopicSpec } from './lib/kafka-topics';
export {
  ingestionBodySchema,
  mergeBatchFields,
  segmentBatchSchema,
  type SegmentBatch,
} from './lib/segment/segment-batch.schema';
export { clientTimestampSchema, parseClientInstant } from './lib/segment/client-timestamp';
export { withoutAbsentFields } from './lib/segment/absent-fields.util';
export { SHORT_EVENT_PATHS, eventTypeOfPath } from './lib/segment/tracking-paths';
export {
  EVENT_SCHEMAS,
  EVENT_TYPES,
  segmentEventSchema,
  type EventType,
  type SegmentEvent,
  type TrackEvent,
} from './lib/segment/segment-event.schema';
export {
  KEY_SCOPES,
  createTenantRequestSchema,
  keyScopeParamSchema,
  quotaOverridesSchema,
  type CreateTenantRequest,
  type KeyScope,
} from './lib/admin/tenant-admin.schema';
export {
  ANALYTICS_SETTINGS_LIMITS,
  IDENTITY_FIELDS,
  analyticsSettingsRequestV1Schema,
  type AnalyticsSettingsRequestV1,
} from './lib/admin/analytics-settings.schema';
export { ingestApiOpenApi } from './lib/openapi/ingest-api.openapi';
export {
  QUERY_INTERVALS,
  QUERY_LIMITS,
  analyticsQuerySchemas,
  type EventCount,
  type LiveFrame,
  type QueryInterval,
  type QueryWindow,
  type SummaryAnswer,
  type SummaryQuery,
  type TimeseriesAnswer,
  type TimeseriesQuery,
  type TopEventsAnswer,
  type TopEventsQuery,
  type UniquesAnswer,
  type UniquesQuery,
} from './lib/analytics/analytics-query.schema';
export {
  FILTER_OPERATORS,
  MEASURE_AGGREGATES,
  QUERY_FIELD_ROOTS,
  QUERY_STANDARD_FIELDS,
  QUERY_V1_INTERVALS,
  QUERY_V1_LIMITS,
  QUERY_V1_PATHS,
  analyticsAnswerV1Schema,
  analyticsQueryV1Schema,
  type AnalyticsAnswerV1,
  type AnalyticsQueryV1,
  type FilterOperator,
  type MeasureAggregate,
  type QueryFilterV1,
  type QueryIntervalV1,
  type QueryMetricV1,
  type QueryOrderV1,
  type QueryPathV1,
} from './lib/analytics/analytics-query-v1.schema';
export { aggregationApiOpenApi } from './lib/openapi/aggregation-api.openapi';
