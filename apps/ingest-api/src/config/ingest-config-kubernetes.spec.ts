import { kubernetesDisagreements } from '@tally/testing';
import { SERVICE_NAME, ingestEnvSchema, loadIngestConfig } from './ingest-config';

// Beside the schema because only the app may import it; the manifests themselves are
// checked in libs/testing/src/lib/k8s-manifests.spec.ts.
describe('ingest-api on Kubernetes (deploy/k8s, example overlay)', () => {
  it('boots with the environment its Deployment gives it, reads every variable given, listens where probed', () => {
    expect(kubernetesDisagreements(SERVICE_NAME, ingestEnvSchema.in.shape, loadIngestConfig)).toEqual([]);
  });
});
