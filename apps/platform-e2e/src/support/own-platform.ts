import { eventually, startApp, type RunningApp, type TestEnvironment } from '@tally/testing';
import { WorkerGroup } from './worker-group';

/** The three apps on ports of a test's own, so the test never shares them with another run. */
export interface OwnPlatform {
  readonly ingestUrl: string;
  readonly aggregationUrl: string;
  readonly group: WorkerGroup;
  stop(): Promise<void>;
}

export interface OwnPorts {
  readonly ingest: number;
  readonly aggregation: number;
  readonly worker: number;
}

/**
 * ingest-api, aggregation-api and a processor-worker group that starts at the end of the
 * events topic, all ready. aggregation-api's rollup job stays idle (first run in 10
 * minutes), so recent windows are answered from the worker's Redis counters.
 */
export async function startOwnPlatform(
  env: TestEnvironment,
  ports: OwnPorts,
  aggregationEnv: Record<string, string> = {},
): Promise<OwnPlatform> {
  const group = await WorkerGroup.atTopicEnd(env);
  const apps: RunningApp[] = [
    startApp('ingest-api', { INGEST_API_PORT: String(ports.ingest), LOG_LEVEL: 'warn' }),
    startApp('aggregation-api', {
      AGGREGATION_API_PORT: String(ports.aggregation),
      AGGREGATION_INTERVAL_MS: '600000',
      LOG_LEVEL: 'warn',
      ...aggregationEnv,
    }),
  ];
  const platform: OwnPlatform = {
    ingestUrl: `http://127.0.0.1:${ports.ingest}`,
    aggregationUrl: `http://127.0.0.1:${ports.aggregation}`,
    group,
    stop: async () => {
      await Promise.all([...apps.map((app) => app.stop()), group.stopAll()]);
    },
  };
  const ready = (url: string) =>
    eventually(async () => expect((await fetch(`${url}/health/ready`)).status).toBe(200), 90_000, 500);
  try {
    await Promise.all([ready(platform.ingestUrl), ready(platform.aggregationUrl), group.start(ports.worker)]);
  } catch (error) {
    await platform.stop();
    throw error;
  }
  return platform;
}
