import { z } from 'zod';
import { analyticsSettingsRequestV1Schema } from '../admin/analytics-settings.schema';
import { createTenantRequestSchema, quotaOverridesSchema } from '../admin/tenant-admin.schema';
import { analyticsAnswerV1Schema, analyticsQueryV1Schema } from '../analytics/analytics-query-v1.schema';
import { QUERY_LIMITS, analyticsQuerySchemas } from '../analytics/analytics-query.schema';
import { errorResponse as error, errorSchemaWith, healthAndMetricsPaths, jsonSchemaOf } from './openapi-parts';

const schemas = analyticsQuerySchemas();

/** A query-string contract as OpenAPI parameters, one per field. */
function parametersOf(schema: z.ZodType): Record<string, unknown>[] {
  const json = jsonSchemaOf(schema) as { properties?: Record<string, Record<string, unknown>> };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: false,
    schema: property,
  }));
}

const json = (ref: string, description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
});

const queryResponses = (ref: string) => ({
  '200': {
    ...json(ref, 'The answer. `X-Cache: hit|miss`, a strong `ETag`, and `X-RateLimit-*` headers.'),
    headers: {
      'X-Cache': { schema: { type: 'string', enum: ['hit', 'miss'] } },
      ETag: { schema: { type: 'string' } },
    },
  },
  '304': { description: 'Not modified: `If-None-Match` matched the answer’s ETag.' },
  '400': error('An invalid or unbounded query; the message names the parameter and the rule.'),
  '401': error('No key, or an unknown or revoked key.'),
  '403': error('A write key: queries need a read key.'),
  '429': error('Over the tenant’s query quota: see Retry-After and X-RateLimit-*.'),
});

const query = (summary: string, schema: z.ZodType, answer: string) => ({
  get: { summary, security: [{ readKey: [] }], parameters: parametersOf(schema), responses: queryResponses(answer) },
});

/** The body and answer of `POST /v1/query`, and its refusals (decision 0009, section 5). */
const questionRoute = {
  post: {
    summary:
      'One question: events, uniques and measures of a window, by time and up to two fields, filtered; answered from the counters or by a scan of raw events',
    security: [{ readKey: [] }],
    requestBody: {
      required: true,
      content: { 'application/json': { schema: jsonSchemaOf(analyticsQueryV1Schema()) } },
    },
    responses: {
      ...queryResponses('AnalyticsAnswerV1'),
      '400': error(
        'An invalid question: `problems` name each field (`filters.0.value`) and its rule. Also a question only a scan can answer whose window (both windows, with `compare`) is longer than a scan may cover, naming `from` with why it needs a scan and how to avoid one; and a forced `path` that cannot answer, naming `path`.',
      ),
      '422': error(
        'A valid question that costs more than a scan may, in the shape of a 400: `scan_too_large` (too many events to read, or too many distinct users to hold; naming `from` or `filters`) or `scan_too_slow` (past the scan’s time bound). Narrow the window or the filters.',
      ),
      '429': error(
        'Over the tenant’s query quota, where a scan costs several query tokens (see X-RateLimit-*); or too many concurrent scans for the tenant or the replica (Retry-After: 1).',
      ),
    },
  },
};

const countsByEvent = { type: 'object', additionalProperties: { type: 'integer' } };
const window = { from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' } };

const adminResponses = (description: string) => ({
  '200': { description },
  '400': error('Invalid request.'),
  '401': error('No or wrong admin token.'),
  '404': error('No such tenant.'),
  '503': error('The admin API is off (no ADMIN_TOKEN configured).'),
});

const tenantPath = { name: 'tenantId', in: 'path', required: true, schema: { type: 'string' } };

/** The OpenAPI 3.1 description of aggregation-api, generated from the contracts it validates with. */
export function aggregationApiOpenApi(version: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tally aggregation-api',
      version,
      description: `Per-tenant analytics. The read key decides the tenant. Windows are [from, to) at one-minute resolution; without from/to, the last 24 h. At most ${QUERY_LIMITS.maxRangeDays} days per query and ${QUERY_LIMITS.maxBuckets} buckets per time series.`,
    },
    paths: {
      '/aggregation': query(
        'The original endpoint: total events, counts by event name and unique users of a window',
        schemas.summary,
        'SummaryAnswer',
      ),
      '/v1/timeseries': query(
        'Event counts per minute, hour or day (zero-filled), of all events or one event name, in a time zone',
        schemas.timeseries,
        'TimeseriesAnswer',
      ),
      '/v1/events/top': query('The most counted event names of a window', schemas.topEvents, 'TopEventsAnswer'),
      '/v1/uniques': query(
        'Unique users of a window (HyperLogLog, within 2 %), of all events or one event name',
        schemas.uniques,
        'UniquesAnswer',
      ),
      '/v1/query': questionRoute,
      '/v1/live': {
        get: {
          summary:
            'Server-Sent Events: every second an `activity` event with the tenant’s events received per second over the last minute',
          security: [{ readKey: [] }],
          responses: {
            '200': {
              description: 'An event stream',
              content: { 'text/event-stream': { schema: { $ref: '#/components/schemas/LiveFrame' } } },
            },
            '401': error('No key, or an unknown or revoked key.'),
            '403': error('A write key.'),
            '429': error('Over the query quota, or too many open streams for this tenant.'),
          },
        },
      },
      '/admin/tenants': {
        post: {
          summary: 'Create a tenant; its write and read keys are shown in this answer only',
          security: [{ adminToken: [] }],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchemaOf(createTenantRequestSchema) } },
          },
          responses: { ...adminResponses('created'), '201': { description: 'created, with its keys' } },
        },
        get: { summary: 'List tenants', security: [{ adminToken: [] }], responses: adminResponses('the tenants') },
      },
      '/admin/tenants/{tenantId}': {
        get: {
          summary: 'One tenant',
          security: [{ adminToken: [] }],
          parameters: [tenantPath],
          responses: adminResponses('the tenant'),
        },
      },
      '/admin/tenants/{tenantId}/keys/{scope}/rotate': {
        post: {
          summary: 'Replace the tenant’s write or read key; the old one stops working on every replica within seconds',
          security: [{ adminToken: [] }],
          parameters: [tenantPath, { name: 'scope', in: 'path', required: true, schema: { enum: ['write', 'read'] } }],
          responses: adminResponses('the new key, shown this once'),
        },
      },
      '/admin/tenants/{tenantId}/disable': {
        post: {
          summary: 'Disable a tenant: its keys stop working',
          security: [{ adminToken: [] }],
          parameters: [tenantPath],
          responses: adminResponses('the tenant'),
        },
      },
      '/admin/tenants/{tenantId}/enable': {
        post: {
          summary: 'Enable a disabled tenant',
          security: [{ adminToken: [] }],
          parameters: [tenantPath],
          responses: adminResponses('the tenant'),
        },
      },
      '/admin/tenants/{tenantId}/analytics': {
        get: {
          summary: 'The tenant’s declared dimensions and measures, ended ones included, with when each is counted',
          security: [{ adminToken: [] }],
          parameters: [tenantPath],
          responses: adminResponses('the analytics settings'),
        },
        put: {
          summary:
            'Declare exactly these dimensions and measures: new ones are counted in real time from a minute later, removed ones stop a minute later; the same lists again change nothing',
          security: [{ adminToken: [] }],
          parameters: [tenantPath],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchemaOf(analyticsSettingsRequestV1Schema) } },
          },
          responses: adminResponses('the analytics settings'),
        },
      },
      '/admin/tenants/{tenantId}/quotas': {
        put: {
          summary: 'Override the tenant’s quotas',
          security: [{ adminToken: [] }],
          parameters: [tenantPath],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchemaOf(quotaOverridesSchema) } },
          },
          responses: adminResponses('the tenant'),
        },
      },
      ...healthAndMetricsPaths('Redis and MongoDB answer'),
    },
    components: {
      securitySchemes: {
        readKey: { type: 'http', scheme: 'bearer', description: 'A tenant read key.' },
        adminToken: { type: 'http', scheme: 'bearer', description: 'The platform admin token.' },
      },
      schemas: {
        SummaryAnswer: {
          type: 'object',
          required: ['from', 'to', 'totalEvents', 'uniqueUsers', 'countsByEvent'],
          properties: { ...window, totalEvents: { type: 'integer' }, uniqueUsers: { type: 'integer' }, countsByEvent },
        },
        TimeseriesAnswer: {
          type: 'object',
          required: ['from', 'to', 'event', 'interval', 'tz', 'total', 'buckets'],
          properties: {
            ...window,
            event: { type: ['string', 'null'] },
            interval: { enum: ['minute', 'hour', 'day'] },
            tz: { type: 'string' },
            total: { type: 'integer' },
            buckets: {
              type: 'array',
              items: {
                type: 'object',
                required: ['start', 'count'],
                properties: { start: { type: 'string', format: 'date-time' }, count: { type: 'integer' } },
              },
            },
          },
        },
        TopEventsAnswer: {
          type: 'object',
          required: ['from', 'to', 'events'],
          properties: {
            ...window,
            events: {
              type: 'array',
              items: {
                type: 'object',
                required: ['name', 'count'],
                properties: { name: { type: 'string' }, count: { type: 'integer' } },
              },
            },
          },
        },
        UniquesAnswer: {
          type: 'object',
          required: ['from', 'to', 'event', 'uniques'],
          properties: { ...window, event: { type: ['string', 'null'] }, uniques: { type: 'integer' } },
        },
        AnalyticsAnswerV1: jsonSchemaOf(analyticsAnswerV1Schema),
        LiveFrame: {
          type: 'object',
          required: ['at', 'seconds', 'perSecond', 'total'],
          properties: {
            at: { type: 'string', format: 'date-time' },
            seconds: { type: 'integer' },
            perSecond: {
              type: 'array',
              items: { type: 'integer' },
              description: 'Oldest first; the last is the current second.',
            },
            total: { type: 'integer' },
          },
        },
        Error: errorSchemaWith(),
      },
    },
  };
}
