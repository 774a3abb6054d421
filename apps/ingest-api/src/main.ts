import { failBoot, startHttpService } from '@tally/service-runtime';
import { IngestAppModule } from './app.module';
import { SERVICE_NAME, loadIngestConfig } from './config/ingest-config';
import { registerIngestBodyParser } from './read-request-body/json-body.parser';

async function main(): Promise<void> {
  const config = loadIngestConfig(process.env);
  await startHttpService(IngestAppModule.forRoot(config), config.http, {
    configureFastify: registerIngestBodyParser,
    ownBodyParser: true,
  });
}

main().catch((error: unknown) => failBoot(SERVICE_NAME, error));
