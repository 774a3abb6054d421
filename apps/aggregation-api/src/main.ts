import { failBoot, startHttpService } from '@tally/service-runtime';
import { AggregationAppModule } from './app.module';
import { SERVICE_NAME, loadAggregationConfig } from './config/aggregation-config';

async function main(): Promise<void> {
  const config = loadAggregationConfig(process.env);
  await startHttpService(AggregationAppModule.forRoot(config), config.http);
}

main().catch((error: unknown) => failBoot(SERVICE_NAME, error));
