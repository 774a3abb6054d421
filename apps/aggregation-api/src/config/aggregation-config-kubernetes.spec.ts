import { kubernetesDisagreements, kubernetesEnvironmentOf } from '@tally/testing';
import { SERVICE_NAME, aggregationEnvSchema, loadAggregationConfig } from './aggregation-config';

// Beside the schema because only the app may import it; the manifests themselves are
// checked in libs/testing/src/lib/k8s-manifests.spec.ts.
describe('aggregation-api on Kubernetes (deploy/k8s, example overlay)', () => {
  it('boots with the environment its Deployment gives it, reads every variable given, listens where probed', () => {
    expect(kubernetesDisagreements(SERVICE_NAME, aggregationEnvSchema.in.shape, loadAggregationConfig)).toEqual([]);
  });

  it('enables the admin API where the overlay gives the token', () => {
    expect(loadAggregationConfig(kubernetesEnvironmentOf(SERVICE_NAME)).tenancy.adminToken).toBeDefined();
  });
});
