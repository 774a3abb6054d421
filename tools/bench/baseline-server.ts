import Fastify from 'fastify';

/**
 * The yardstick for ingest-api: a bare Fastify server that parses the same JSON
 * payloads and answers, doing nothing else (no auth, validation, quota or Kafka).
 * ingest-api's figures are reported as a ratio of this one, measured in the same run.
 */
const port = Number(process.argv[2] ?? 3999);
const app = Fastify({ bodyLimit: 1024 * 1024 });

app.post('/v1/batch', async (request) => {
  const body = request.body as { batch?: unknown[] };
  return { success: true, accepted: body.batch?.length ?? 0, rejected: [] };
});
app.post('/v1/track', async () => ({ success: true, accepted: 1, rejected: [] }));

app.listen({ port, host: '127.0.0.1' }).then(
  () => process.stdout.write(`baseline listening on ${port}\n`),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
