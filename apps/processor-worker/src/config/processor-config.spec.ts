import { ConfigError } from '@tally/config';
import { composeDisagreements, composeEnvironmentOf, loadComposeFile, readRepoFile } from '@tally/testing';
import { loadProcessorConfig } from './processor-config';

describe('processor-worker configuration', () => {
  it('defaults to the local stack addresses and port 3002', () => {
    const config = loadProcessorConfig({});
    expect(config.http).toEqual({ host: '0.0.0.0', port: 3002, requestTimeoutMs: 30_000 });
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.mongo.database).toBe('tally');
  });

  it('refuses to boot, listing every bad variable', () => {
    expect(() =>
      loadProcessorConfig({ PROCESSOR_WORKER_PORT: 'x', KAFKA_BROKERS: 'nohost', MONGO_URL: 'redis://x' }),
    ).toThrow(
      expect.objectContaining({
        constructor: ConfigError,
        message: expect.stringMatching(/PROCESSOR_WORKER_PORT[\s\S]*KAFKA_BROKERS[\s\S]*MONGO_URL/),
      }),
    );
  });

  it('accepts the environment docker-compose gives it, and compose agrees on hosts and ports', () => {
    const compose = loadComposeFile();
    const config = loadProcessorConfig(composeEnvironmentOf(compose, 'processor-worker'));
    const dials = [
      ...config.kafka.brokers.map((b) => b.split(':')[0] ?? ''),
      new URL(config.redis.url).hostname,
      new URL(config.mongo.url).hostname,
    ];
    const prometheus = readRepoFile('deploy/prometheus/prometheus.yml');
    expect(
      composeDisagreements(compose, 'processor-worker', { httpPort: config.http.port, dials }, prometheus),
    ).toEqual([]);
  });
});
