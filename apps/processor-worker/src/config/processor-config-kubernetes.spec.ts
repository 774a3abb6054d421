import { kubernetesDisagreements, kubernetesEnvironmentOf } from '@tally/testing';
import { SERVICE_NAME, loadProcessorConfig, processorEnvSchema } from './processor-config';

// Beside the schema because only the app may import it; the manifests themselves are
// checked in libs/testing/src/lib/k8s-manifests.spec.ts.
describe('processor-worker on Kubernetes (deploy/k8s, example overlay)', () => {
  it('boots with the environment its Deployment gives it, every variable one its schema reads, on the declared port', () => {
    const config = loadProcessorConfig(kubernetesEnvironmentOf(SERVICE_NAME));
    const dials = [
      ...config.kafka.brokers.map((b) => b.split(':')[0] ?? ''),
      new URL(config.redis.url).hostname,
      new URL(config.mongo.url).hostname,
    ];
    expect(
      kubernetesDisagreements(SERVICE_NAME, processorEnvSchema.in.shape, {
        httpHost: config.http.host,
        httpPort: config.http.port,
        dials,
      }),
    ).toEqual([]);
  });
});
