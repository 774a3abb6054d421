import { ConfigError } from '@tally/config';
import { composeDisagreements, composeEnvironmentOf, loadComposeFile, readRepoFile } from '@tally/testing';
import { loadAggregationConfig } from './aggregation-config';

describe('aggregation-api configuration', () => {
  it('defaults to the local stack addresses and port 3001', () => {
    const config = loadAggregationConfig({});
    expect(config.http).toEqual({ host: '0.0.0.0', port: 3001, requestTimeoutMs: 30_000 });
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.mongo.database).toBe('tally');
  });

  it('bounds uncached query work per tenant and replica, 4 at once unless told', () => {
    expect(loadAggregationConfig({}).queryConcurrency).toEqual({ maxPerTenant: 4 });
    expect(loadAggregationConfig({ QUERY_MAX_CONCURRENT_PER_TENANT: '16' }).queryConcurrency.maxPerTenant).toBe(16);
    expect(() => loadAggregationConfig({ QUERY_MAX_CONCURRENT_PER_TENANT: '0' })).toThrow(
      /QUERY_MAX_CONCURRENT_PER_TENANT/,
    );
  });

  it('refuses to boot, listing every bad variable', () => {
    expect(() => loadAggregationConfig({ AGGREGATION_API_PORT: '0', REDIS_URL: 'nope' })).toThrow(
      expect.objectContaining({
        constructor: ConfigError,
        message: expect.stringMatching(/AGGREGATION_API_PORT[\s\S]*REDIS_URL/),
      }),
    );
  });

  it('accepts the environment docker-compose gives it, and compose agrees on hosts and ports', () => {
    const compose = loadComposeFile();
    const config = loadAggregationConfig(composeEnvironmentOf(compose, 'aggregation-api'));
    const dials = [new URL(config.redis.url).hostname, new URL(config.mongo.url).hostname];
    const prometheus = readRepoFile('deploy/prometheus/prometheus.yml');
    expect(composeDisagreements(compose, 'aggregation-api', { httpPort: config.http.port, dials }, prometheus)).toEqual(
      [],
    );
  });
});
