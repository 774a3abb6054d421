import { EVENT_SCHEMAS, EVENT_TYPES, segmentEventSchema } from '../segment/segment-event.schema';
import { segmentBatchSchema } from '../segment/segment-batch.schema';
import { SHORT_EVENT_PATHS } from '../segment/tracking-paths';
import { INGEST_LIMITS } from '../ingest-limits';
import { errorResponse as error, errorSchemaWith, healthAndMetricsPaths, jsonSchemaOf } from './openapi-parts';

const reportSchema = {
  type: 'object',
  required: ['success', 'accepted', 'rejected'],
  properties: {
    success: { type: 'boolean' },
    accepted: { type: 'integer', description: 'Events durably in Kafka.' },
    rejected: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'messageId', 'reason'],
        properties: { index: { type: 'integer' }, messageId: { type: ['string', 'null'] }, reason: { type: 'string' } },
      },
    },
  },
};

const ingestResponses = {
  '200': {
    description: 'Every accepted event is acknowledged by all in-sync Kafka replicas; rejected ones are listed.',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/IngestReport' } } },
  },
  '400': error('Malformed JSON, or nothing in the request can ever be accepted (do not retry).'),
  '401': error('No key, or an unknown or revoked key.'),
  '403': error('A read key: ingest needs a write key.'),
  '413': error(
    `Body over ${INGEST_LIMITS.maxRequestBytes / 1024} KB after decoding, or a single event over ${INGEST_LIMITS.maxEventBytes / 1024} KB.`,
  ),
  '429': error('Over the tenant quota: see Retry-After and X-RateLimit-*.'),
  '503': error('Kafka cannot take the events right now: retry after Retry-After.'),
};

const body = (ref: string) => ({
  required: true,
  content: {
    'application/json': { schema: { $ref: `#/components/schemas/${ref}` } },
    'text/plain': { schema: { $ref: `#/components/schemas/${ref}` } },
  },
});

/** The OpenAPI 3.1 description of ingest-api, generated from the same zod contracts it parses with. */
export function ingestApiOpenApi(version: string): Record<string, unknown> {
  const pathsOfTypes: [string, (typeof EVENT_TYPES)[number]][] = [
    ...EVENT_TYPES.map((type) => [type, type] as [string, (typeof EVENT_TYPES)[number]]),
    ...Object.entries(SHORT_EVENT_PATHS),
  ];
  const perType = Object.fromEntries(
    pathsOfTypes.map(([path, type]) => [
      `/v1/${path}`,
      {
        post: {
          summary:
            path === type
              ? `Record one ${type} event (Segment HTTP Tracking API)`
              : `Record one ${type} event: analytics.js's short path for /v1/${type}`,
          security: [{ writeKeyBasic: [] }, { bearer: [] }, { writeKeyHeader: [] }],
          requestBody: body(`${type[0]?.toUpperCase()}${type.slice(1)}Event`),
          responses: ingestResponses,
        },
      },
    ]),
  );
  const batch = {
    post: {
      summary:
        'Record a batch of events (Segment HTTP Tracking API); batch-level context and integrations merge into each event',
      security: [{ writeKeyBasic: [] }, { bearer: [] }, { writeKeyHeader: [] }],
      requestBody: body('Batch'),
      responses: ingestResponses,
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tally ingest-api',
      version,
      description:
        'Segment-compatible event ingestion. A body is read as JSON whatever Content-Type it declares (analytics.js and sendBeacon send text/plain), and may be gzip- or deflate-encoded (Content-Encoding). Optional fields sent as null are absent. The write key may also be sent as `writeKey` in the body, or in the events of a batch; it is never stored. CORS: any origin, credentials allowed, rate-limit headers exposed.',
    },
    paths: {
      '/v1/batch': batch,
      '/v1/import': batch,
      '/v1/b': batch,
      ...perType,
      '/v1/m': {
        post: {
          summary: "analytics.js's own telemetry: answered 200 and dropped (it is not tenant data)",
          responses: { '200': { description: 'Accepted and dropped.' } },
        },
      },
      '/ingestion': {
        post: {
          summary: 'The original endpoint: one event or an array of events; type defaults to track',
          security: [{ writeKeyBasic: [] }, { bearer: [] }, { writeKeyHeader: [] }],
          requestBody: body('IngestionBody'),
          responses: ingestResponses,
        },
      },
      ...healthAndMetricsPaths('Kafka, Redis and MongoDB answer'),
    },
    components: {
      securitySchemes: {
        writeKeyBasic: { type: 'http', scheme: 'basic', description: 'Write key as username, empty password.' },
        bearer: { type: 'http', scheme: 'bearer', description: 'Write key as a bearer token.' },
        writeKeyHeader: { type: 'apiKey', in: 'header', name: 'X-Write-Key' },
      },
      schemas: {
        Event: jsonSchemaOf(segmentEventSchema),
        ...Object.fromEntries(
          EVENT_TYPES.map((type) => [
            `${type[0]?.toUpperCase()}${type.slice(1)}Event`,
            jsonSchemaOf(EVENT_SCHEMAS[type]),
          ]),
        ),
        Batch: jsonSchemaOf(segmentBatchSchema),
        IngestionBody: {
          oneOf: [
            { $ref: '#/components/schemas/Event' },
            { type: 'array', items: { $ref: '#/components/schemas/Event' } },
          ],
        },
        IngestReport: reportSchema,
        Error: errorSchemaWith({ rejected: reportSchema.properties.rejected }),
      },
    },
  };
}
