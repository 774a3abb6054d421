import { z } from 'zod';

/** JSON Schema of a contract as clients send it (before transforms), for OpenAPI 3.1. */
export const jsonSchemaOf = (schema: z.ZodType): Record<string, unknown> => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return rest;
};

/** The one error shape of every app (the shared exception filter), plus app-specific fields. */
export const errorSchemaWith = (extra: Record<string, unknown> = {}) => ({
  type: 'object',
  required: ['statusCode', 'error', 'message', 'requestId'],
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
    requestId: { type: 'string' },
    problems: {
      type: 'array',
      items: { type: 'object', properties: { field: { type: 'string' }, rule: { type: 'string' } } },
    },
    ...extra,
  },
});

export const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

export const healthAndMetricsPaths = (readiness: string) => ({
  '/health/live': { get: { summary: 'The process is up', responses: { '200': { description: 'up' } } } },
  '/health/ready': {
    get: {
      summary: readiness,
      responses: { '200': { description: 'ready' }, '503': { description: 'a dependency is down' } },
    },
  },
  '/metrics': {
    get: { summary: 'Prometheus metrics', responses: { '200': { description: 'text exposition format' } } },
  },
});
