import { failBoot, startHttpService } from '@tally/service-runtime';
import { ProcessorAppModule } from './app.module';
import { SERVICE_NAME, loadProcessorConfig } from './config/processor-config';

async function main(): Promise<void> {
  const config = loadProcessorConfig(process.env);
  await startHttpService(ProcessorAppModule.forRoot(config), config.http);
}

main().catch((error: unknown) => failBoot(SERVICE_NAME, error));
