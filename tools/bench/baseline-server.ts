import Fastify from 'fastify';

/**
 * The yardstick the apps are measured against, in the same run: a bare Fastify server
 * that does only what HTTP and JSON cost, nothing else (no auth, validation, quota,
 * cache, Kafka or database). For ingest-api it parses the same JSON payloads; for
 * aggregation-api it answers GET /v1/timeseries with a constant body of the size of the
 * real answer (`BASELINE_QUERY_BODY`, already serialised, as aggregation-api sends a
 * cached answer).
 */
const port = Number(process.argv[2] ?? 3999);
const queryBody = process.env['BASELINE_QUERY_BODY'] ?? '{}';
const app = Fastify({ bodyLimit: 1024 * 1024 });

app.post('/v1/batch', async (request) => {
  const body = request.body as { batch?: unknown[] };
  return { success: true, accepted: body.batch?.length ?? 0, rejected: [] };
});
app.post('/v1/track', async () => ({ success: true, accepted: 1, rejected: [] }));
app.get('/v1/timeseries', async (_request, reply) => reply.type('application/json; charset=utf-8').send(queryBody));

app.listen({ port, host: '127.0.0.1' }).then(
  () => process.stdout.write(`baseline listening on ${port}\n`),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
