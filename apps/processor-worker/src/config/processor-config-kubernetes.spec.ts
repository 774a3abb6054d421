import { kubernetesDisagreements } from '@tally/testing';
import { SERVICE_NAME, processorEnvSchema, loadProcessorConfig } from './processor-config';

// Beside the schema because only the app may import it; the manifests themselves are
// checked in libs/testing/src/lib/k8s-manifests.spec.ts.
describe('processor-worker on Kubernetes (deploy/k8s, example overlay)', () => {
  it('boots with the environment its Deployment gives it, reads every variable given, listens where probed', () => {
    expect(kubernetesDisagreements(SERVICE_NAME, processorEnvSchema.in.shape, loadProcessorConfig)).toEqual([]);
  });
});
