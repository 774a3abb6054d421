import { kubernetesDisagreements, kubernetesEnvironmentOf } from '@tally/testing';
import { SERVICE_NAME, aggregationEnvSchema, loadAggregationConfig } from './aggregation-config';

// Beside the schema because only the app may import it; the manifests themselves are
// checked in libs/testing/src/lib/k8s-manifests.spec.ts.
describe('aggregation-api on Kubernetes (deploy/k8s, example overlay)', () => {
  it('boots with the environment its Deployment gives it, every variable one its schema reads, on the declared port', () => {
    const config = loadAggregationConfig(kubernetesEnvironmentOf(SERVICE_NAME));
    const dials = [new URL(config.redis.url).hostname, new URL(config.mongo.url).hostname];
    expect(
      kubernetesDisagreements(SERVICE_NAME, aggregationEnvSchema.in.shape, {
        httpHost: config.http.host,
        httpPort: config.http.port,
        dials,
      }),
    ).toEqual([]);
    // The admin API is enabled where the overlay gives the token.
    expect(config.tenancy.adminToken).toBeDefined();
  });
});
