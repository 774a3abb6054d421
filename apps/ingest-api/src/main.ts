import { failBoot, startHttpService } from '@tally/service-runtime';
import { IngestAppModule } from './app.module';
import { SERVICE_NAME, loadIngestConfig } from './config/ingest-config';
import { registerIngestCors } from './allow-browsers/ingest-cors';
import { registerIngestBodyParser } from './read-request-body/json-body.parser';

async function main(): Promise<void> {
  const config = loadIngestConfig(process.env);
  await startHttpService(IngestAppModule.forRoot(config), config.http, {
    configureFastify: (fastify) => {
      registerIngestCors(fastify);
      registerIngestBodyParser(fastify);
    },
    ownBodyParser: true,
  });
}

main().catch((error: unknown) => failBoot(SERVICE_NAME, error));
