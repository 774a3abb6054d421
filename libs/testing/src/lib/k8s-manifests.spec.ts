import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as autoscalingV2 from 'kubernetes-models/autoscaling/v2';
import * as policyV1 from 'kubernetes-models/policy/v1';
import * as coreV1 from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { tenancyEnvFields } from '@tally/config';
import { TOPICS } from '@tally/contracts';
import { HealthModule, MetricsModule } from '@tally/observability';
import { loadComposeFile, readRepoFile } from './compose-file.util';
import { unknownFieldProblems } from './k8s-manifest-fields.util';
import {
  K8S_BASE_DIR,
  K8S_DIR,
  K8S_OVERLAY_DIR,
  appContainerOf,
  containerEnvironmentOf,
  filesOfKustomization,
  findObject,
  kubernetesEnvironmentOf,
  readManifestFile,
  relativeToRepo,
  renderKustomization,
  yamlFilesUnder,
  type K8sObject,
} from './k8s-manifests.util';

// What each app's env schema reads is checked beside the schema, where it can be
// imported: apps/<app>/src/config/<app>-config-kubernetes.spec.ts (a library may not
// import an app). This file checks the manifests themselves and how they fit together.

const APPS = ['ingest-api', 'processor-worker', 'aggregation-api'] as const;
const HTTP_APPS = ['ingest-api', 'aggregation-api'] as const;

/** Model classes by apiVersion and kind: `new Model(object).validate()` checks against the API's JSON schema. */
const MODELS: Record<string, Record<string, unknown>> = {
  v1: coreV1,
  'apps/v1': appsV1,
  'autoscaling/v2': autoscalingV2,
  'policy/v1': policyV1,
};

function schemaProblems(label: string, object: K8sObject): string[] {
  const Model = MODELS[object.apiVersion]?.[object.kind] as (new (data: unknown) => { validate(): void }) | undefined;
  if (!Model) return [`${label}: no schema for ${object.apiVersion} ${object.kind}`];
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [`${label}: ${error instanceof Error ? error.message : String(error)}`];
  }
}

const labelOf = (o: K8sObject, where: string) => `${where} ${o.kind}/${o.metadata.name}`;

interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    terminationGracePeriodSeconds?: number;
    securityContext?: { runAsNonRoot?: boolean };
    containers: (ReturnType<typeof appContainerOf> & {
      resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
      securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
    })[];
  };
}
type DeploymentLike = K8sObject & {
  spec: { replicas?: number; selector: { matchLabels: Record<string, string> }; template: PodTemplate };
};
const deploymentsOf = (objects: readonly K8sObject[]) =>
  objects.filter((o) => o.kind === 'Deployment') as DeploymentLike[];

const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  selector !== undefined &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([k, v]) => labels[k] === v);

/** The Deployments in the same namespace whose pods a selector picks. */
const podsSelectedBy = (objects: readonly K8sObject[], by: K8sObject, selector: Record<string, string> | undefined) =>
  deploymentsOf(objects)
    .filter((d) => d.metadata.namespace === by.metadata.namespace)
    .filter((d) => selects(selector, d.spec.template.metadata.labels))
    .map((d) => d.metadata.name);

/** Partitions the topics are created with: docker-compose's kafka-init is where the count is written down. */
function eventsTopicPartitions(): number {
  const script = JSON.stringify(loadComposeFile().services['kafka-init']);
  expect(script).toContain(TOPICS.events.name);
  return Number(/--partitions (\d+)/.exec(script)?.[1]);
}

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
const withKubectl = kubectl.status === 0 ? it : it.skip;

describe('the kustomize renderer used by these tests', () => {
  const byIdentity = (objects: readonly K8sObject[]) =>
    [...objects].sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));

  withKubectl.each([
    ['base', K8S_BASE_DIR],
    ['example overlay', K8S_OVERLAY_DIR],
  ])('renders the %s exactly as kubectl kustomize does (where kubectl is installed)', (_, dir) => {
    const real = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
    expect(real.stderr).toBe('');
    const objects = parseAllDocuments(real.stdout).map((d) => d.toJS() as K8sObject);
    expect(byIdentity(renderKustomization(dir))).toEqual(byIdentity(objects));
  });

  describe('on a kustomization of its own', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'tally-kustomize-'));
      writeFileSync(
        join(dir, 'app.yaml'),
        [
          'apiVersion: apps/v1',
          'kind: Deployment',
          'metadata: { name: app }',
          'spec:',
          '  selector: { matchLabels: { app: a } }',
          '  template:',
          '    metadata: { labels: { app: a } }',
          '    spec:',
          '      containers:',
          '        - { name: main, image: "tally/app", env: [{ name: A, value: "1" }, { name: B, value: "2" }] }',
          '        - { name: side, image: "other/side:1.0" }',
        ].join('\n'),
      );
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('merges patches by container and variable name, sets images, namespace and labels', () => {
      writeFileSync(
        join(dir, 'patch.yaml'),
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: app }\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n        - { name: main, env: [{ name: B, value: "3" }, { name: C, value: "4" }] }\n',
      );
      writeFileSync(
        join(dir, 'kustomization.yaml'),
        'resources: [app.yaml]\nnamespace: ns\npatches: [{ path: patch.yaml }]\nimages: [{ name: tally/app, newName: r.io/tally/app, newTag: "2.0" }]\nlabels: [{ pairs: { team: t }, includeSelectors: true }]\n',
      );
      const [app] = renderKustomization(dir) as DeploymentLike[];
      expect(app?.metadata).toEqual({ name: 'app', namespace: 'ns', labels: { team: 't' } });
      expect(app?.spec.replicas).toBe(2);
      expect(app?.spec.selector.matchLabels).toEqual({ app: 'a', team: 't' });
      expect(app?.spec.template.metadata.labels).toEqual({ app: 'a', team: 't' });
      expect(app?.spec.template.spec.containers).toEqual([
        {
          name: 'main',
          image: 'r.io/tally/app:2.0',
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '3' },
            { name: 'C', value: '4' },
          ],
        },
        { name: 'side', image: 'other/side:1.0' },
      ]);
    });

    it('refuses what it does not implement rather than render it wrongly', () => {
      writeFileSync(join(dir, 'kustomization.yaml'), 'resources: [app.yaml]\nconfigMapGenerator: [{ name: x }]\n');
      expect(() => renderKustomization(dir)).toThrow(/configMapGenerator not supported/);
    });
  });
});

describe('deploy/k8s', () => {
  const base = renderKustomization(K8S_BASE_DIR);
  const overlay = renderKustomization(K8S_OVERLAY_DIR);
  const overlayFiles = filesOfKustomization(K8S_OVERLAY_DIR);

  it('has no YAML file that is neither a kustomization, a resource nor a patch of the example overlay', () => {
    const used = new Set([...overlayFiles.resources, ...overlayFiles.patches]);
    const stray = yamlFilesUnder(K8S_DIR).filter((f) => !f.endsWith('/kustomization.yaml') && !used.has(f));
    expect(stray.map(relativeToRepo)).toEqual([]);
  });

  it('validates every object of every manifest file, and the rendered base and overlay, against the Kubernetes API schemas', () => {
    const files = overlayFiles.resources.flatMap((file) =>
      readManifestFile(file).map((object) => ({ label: labelOf(object, relativeToRepo(file)), object })),
    );
    const rendered = [
      ...base.map((object) => ({ label: labelOf(object, 'base'), object })),
      ...overlay.map((object) => ({ label: labelOf(object, 'overlay'), object })),
    ];
    expect(files.length).toBeGreaterThanOrEqual(17);
    expect([...files, ...rendered].flatMap(({ label, object }) => schemaProblems(label, object))).toEqual([]);
    expect(unknownFieldProblems([...files, ...rendered])).toEqual([]);
  });

  it('catches a wrong manifest: a misspelt field, a wrong type, a missing required field', () => {
    const deployment = structuredClone(findObject(base, 'Deployment', 'ingest-api')) as DeploymentLike;
    const probe = deployment.spec.template.spec.containers[0]?.readinessProbe as Record<string, unknown>;
    probe['initialDelaySecond'] = 5;
    expect(unknownFieldProblems([{ label: 'broken', object: deployment }])).toEqual([
      expect.stringMatching(/^broken: .*initialDelaySecond.*does not exist in type 'IProbe'/),
    ]);
    const service = structuredClone(findObject(base, 'Service', 'ingest-api')) as K8sObject & {
      spec: { ports: { port: unknown }[] };
    };
    (service.spec.ports[0] as { port: unknown }).port = 'eighty';
    expect(schemaProblems('broken', service)).toEqual([expect.stringContaining('port must be integer')]);
    const { selector: _, ...withoutSelector } = deployment.spec;
    expect(schemaProblems('broken', { ...deployment, spec: withoutSelector })).toEqual([
      expect.stringMatching(/must have required property '?selector/),
    ]);
  });

  it('runs each app from the image its Dockerfile builds, tagged by the overlay with the version the app reports', () => {
    for (const app of APPS) {
      expect(appContainerOf(base, app).image).toBe(`tally/${app}`);
      const image = appContainerOf(overlay, app).image;
      expect(image).toMatch(new RegExp(`/tally/${app}:[\\w.-]+$`));
      const env = Object.fromEntries(containerEnvironmentOf(overlay, app).map((e) => [e.name, e.value]));
      expect(image.split(':').pop()).toBe(env['SERVICE_VERSION']);
      expect(readRepoFile(`apps/${app}/Dockerfile`)).toContain(`RUN NX_DAEMON=false npx nx build ${app}`);
    }
  });

  describe('probes and scraping', () => {
    let served: NestFastifyApplication;
    beforeAll(async () => {
      // The same health and metrics modules every app mounts, with no readiness checks.
      const moduleRef = await Test.createTestingModule({
        imports: [HealthModule.forRoot([]), MetricsModule.forRoot('k8s-manifests-spec')],
      }).compile();
      served = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
      await served.init();
      await served.getHttpAdapter().getInstance().ready();
    });
    afterAll(() => served.close());
    const get = (url: string) => served.getHttpAdapter().getInstance().inject({ method: 'GET', url });

    it.each(APPS)(
      '%s: liveness and startup on /health/live, readiness on /health/ready, routes the apps serve',
      async (app) => {
        const container = appContainerOf(overlay, app);
        expect(container.livenessProbe?.httpGet?.path).toBe('/health/live');
        expect(container.startupProbe?.httpGet?.path).toBe('/health/live');
        expect(container.readinessProbe?.httpGet?.path).toBe('/health/ready');
        for (const probe of [container.livenessProbe, container.startupProbe, container.readinessProbe]) {
          expect((await get(probe?.httpGet?.path ?? '')).statusCode).toBe(200);
        }
      },
    );

    it.each(APPS)(
      '%s: probed and scraped on the port its image exposes, at the path metrics are served on',
      async (app) => {
        const deployment = findObject(overlay, 'Deployment', app) as DeploymentLike;
        const container = appContainerOf(overlay, app);
        const [port] = container.ports ?? [];
        const exposed = /\nEXPOSE (\d+)\n/.exec(readRepoFile(`apps/${app}/Dockerfile`))?.[1];
        expect(String(port?.containerPort)).toBe(exposed);
        for (const probe of [container.livenessProbe, container.startupProbe, container.readinessProbe]) {
          expect([port?.name, port?.containerPort]).toContain(probe?.httpGet?.port);
        }
        const annotations = deployment.spec.template.metadata.annotations ?? {};
        expect(annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': exposed });
        const metrics = await get(annotations['prometheus.io/path'] ?? '');
        expect(metrics.statusCode).toBe(200);
        expect(metrics.body).toContain('# TYPE');
      },
    );
  });

  it('keeps processor-worker replicas within the partition count of the events topic', () => {
    const partitions = eventsTopicPartitions();
    expect(partitions).toBe(12);
    for (const objects of [base, overlay]) {
      const replicas = (findObject(objects, 'Deployment', 'processor-worker') as DeploymentLike).spec.replicas;
      expect(replicas).toBeGreaterThanOrEqual(1);
      expect(replicas).toBeLessThanOrEqual(partitions);
      const autoscaled = objects.filter(
        (o) =>
          o.kind === 'HorizontalPodAutoscaler' &&
          (o['spec'] as { scaleTargetRef: { name: string } }).scaleTargetRef.name === 'processor-worker',
      );
      for (const hpa of autoscaled)
        expect((hpa['spec'] as { maxReplicas: number }).maxReplicas).toBeLessThanOrEqual(partitions);
    }
  });

  it('autoscales ingest-api and aggregation-api: each HPA targets an existing Deployment that requests CPU and leaves it the replica count', () => {
    const hpas = overlay.filter((o) => o.kind === 'HorizontalPodAutoscaler') as (K8sObject & {
      spec: {
        scaleTargetRef: { apiVersion: string; kind: string; name: string };
        minReplicas: number;
        maxReplicas: number;
      };
    })[];
    expect(hpas.map((h) => h.spec.scaleTargetRef.name).sort()).toEqual([...HTTP_APPS].sort());
    for (const hpa of hpas) {
      const { apiVersion, kind, name } = hpa.spec.scaleTargetRef;
      const target = deploymentsOf(overlay).find(
        (d) => d.metadata.name === name && d.metadata.namespace === hpa.metadata.namespace,
      );
      expect({ apiVersion, kind, found: target !== undefined }).toEqual({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        found: true,
      });
      expect(target?.spec.replicas).toBeUndefined();
      for (const c of target?.spec.template.spec.containers ?? []) expect(c.resources?.requests?.['cpu']).toBeDefined();
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    }
  });

  it('has a PodDisruptionBudget for each app, selecting that app’s pods and no other', () => {
    const pdbs = overlay.filter((o) => o.kind === 'PodDisruptionBudget');
    const selected = pdbs.map((pdb) => [
      pdb.metadata.name,
      podsSelectedBy(
        overlay,
        pdb,
        (pdb['spec'] as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels,
      ),
    ]);
    expect(Object.fromEntries(selected)).toEqual(Object.fromEntries(APPS.map((app) => [app, [app]])));
  });

  it('has a Service for each app, selecting that app’s pods and sending to a port they declare', () => {
    const services = overlay.filter((o) => o.kind === 'Service') as (K8sObject & {
      spec: { selector: Record<string, string>; ports: { targetPort: string | number }[] };
    })[];
    expect(services.map((s) => [s.metadata.name, podsSelectedBy(overlay, s, s.spec.selector)])).toEqual(
      expect.arrayContaining(APPS.map((app) => [app, [app]])),
    );
    for (const service of services) {
      const container = appContainerOf(overlay, service.metadata.name);
      for (const { targetPort } of service.spec.ports) {
        expect(container.ports?.some((p) => p.name === targetPort || p.containerPort === targetPort)).toBe(true);
      }
    }
  });

  it('gives every container requests and limits, and runs it as non-root on a read-only root filesystem', () => {
    for (const d of deploymentsOf(overlay)) {
      expect(d.spec.template.spec.securityContext?.runAsNonRoot).toBe(true);
      for (const c of d.spec.template.spec.containers) {
        expect(Object.keys(c.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
        expect(Object.keys(c.resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
        expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
      }
    }
  });

  it('stops each app gracefully: routed apps wait for endpoints to drop, and the grace period covers that and the drain', () => {
    for (const d of deploymentsOf(overlay)) {
      const container = appContainerOf(overlay, d.metadata.name);
      const routed = HTTP_APPS.some((app) => app === d.metadata.name);
      const command = container.lifecycle?.preStop?.exec?.command;
      const preStop = routed ? Number(command?.[1]) : 0;
      if (routed) expect(command?.[0]).toBe('sleep');
      const env = Object.fromEntries(containerEnvironmentOf(overlay, d.metadata.name).map((e) => [e.name, e.value]));
      // ingest-api answers every request in flight within the produce timeout.
      const drain = d.metadata.name === 'ingest-api' ? Number(env['INGEST_PRODUCE_TIMEOUT_MS']) / 1000 : 10;
      expect(d.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStop + drain + 5);
    }
  });

  it('keeps credentials in Secrets: store URLs and the admin token come from a Secret, no ConfigMap holds one', () => {
    for (const app of APPS) {
      const env = containerEnvironmentOf(overlay, app);
      for (const name of ['MONGO_URL', 'REDIS_URL', 'ADMIN_TOKEN']) {
        const entry = env.find((e) => e.name === name);
        if (entry) expect(`${name} from ${entry.from}`).toMatch(/ from Secret\//);
      }
    }
    for (const map of overlay.filter((o) => o.kind === 'ConfigMap')) {
      for (const [key, value] of Object.entries((map['data'] ?? {}) as Record<string, string>)) {
        expect(`${key}=${value}`).not.toMatch(/TOKEN|SECRET|PASSWORD|:\/\/[^/@]*@/i);
      }
    }
  });

  it('ships ADMIN_TOKEN as a placeholder the config refuses, so the example cannot boot as it is', () => {
    const adminToken = z.object({ ADMIN_TOKEN: tenancyEnvFields.ADMIN_TOKEN });
    const shipped = containerEnvironmentOf(overlay, 'aggregation-api').find((e) => e.name === 'ADMIN_TOKEN');
    expect(shipped?.from).toBe('Secret/tally-admin');
    expect(adminToken.safeParse({ ADMIN_TOKEN: shipped?.value }).error?.issues[0]?.message).toMatch(/placeholder/);
    // What the app specs boot with instead: a token the operator generated.
    const generated = kubernetesEnvironmentOf('aggregation-api')['ADMIN_TOKEN'];
    expect(generated).not.toBe(shipped?.value);
    expect(adminToken.safeParse({ ADMIN_TOKEN: generated }).success).toBe(true);
  });
});
