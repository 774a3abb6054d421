import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { z } from 'zod';

/**
 * Reading deploy/k8s the way `kubectl apply -k` would, without a cluster or a kustomize
 * binary: CI must not depend on either. `renderKustomization` implements the part of
 * kustomize that the manifests use — and refuses anything else, so a manifest that
 * starts using more fails here instead of being rendered wrongly. Where kubectl is on
 * PATH, k8s-manifests.spec.ts compares this rendering with the real one.
 */

export const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');
export const K8S_DIR = join(REPO_ROOT, 'deploy', 'k8s');
export const K8S_BASE_DIR = join(K8S_DIR, 'base');
export const K8S_OVERLAY_DIR = join(K8S_DIR, 'overlays', 'example');

export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly [field: string]: unknown;
}

interface Kustomization {
  readonly resources?: string[];
  readonly namespace?: string;
  readonly labels?: { pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }[];
  readonly images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
  readonly patches?: { path?: string; patch?: string; target?: { kind?: string; name?: string } }[];
}

const SUPPORTED_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'labels', 'images', 'patches']);

/** Kinds that live outside namespaces (of those a Tally manifest could hold). */
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PriorityClass', 'StorageClass']);

/** Every YAML document of a file, as objects. */
export function readManifestFile(file: string): K8sObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

export const readKustomization = (dir: string): Kustomization =>
  readManifestFile(join(dir, 'kustomization.yaml'))[0] as unknown as Kustomization;

/** The files a kustomization reads: its resources (files, or directories with their own files) and its patches. */
export function filesOfKustomization(dir: string): { resources: string[]; patches: string[] } {
  const k = readKustomization(dir);
  const resources: string[] = [];
  const patches = (k.patches ?? []).flatMap((p) => (p.path ? [join(dir, p.path)] : []));
  for (const entry of k.resources ?? []) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      const nested = filesOfKustomization(path);
      resources.push(...nested.resources);
      patches.push(...nested.patches);
    } else resources.push(path);
  }
  return { resources, patches };
}

/** `kustomize build <dir>` for the subset described above. */
export function renderKustomization(dir: string): K8sObject[] {
  const k = readKustomization(dir);
  const unsupported = Object.keys(k).filter((field) => !SUPPORTED_FIELDS.has(field));
  if (unsupported.length > 0) {
    throw new Error(`${relative(REPO_ROOT, dir)}/kustomization.yaml: ${unsupported.join(', ')} not supported here`);
  }
  let objects: K8sObject[] = (k.resources ?? []).flatMap((entry) => {
    const path = join(dir, entry);
    if (!existsSync(path)) throw new Error(`${relative(REPO_ROOT, dir)}: resource ${entry} does not exist`);
    return statSync(path).isDirectory() ? renderKustomization(path) : readManifestFile(path);
  });
  for (const p of k.patches ?? []) objects = applyPatch(objects, p, dir);
  if (k.namespace !== undefined) {
    const namespace = k.namespace;
    objects = objects.map((o) => (CLUSTER_SCOPED.has(o.kind) ? o : { ...o, metadata: { ...o.metadata, namespace } }));
  }
  for (const l of k.labels ?? []) objects = objects.map((o) => withLabels(o, l));
  for (const image of k.images ?? []) objects = objects.map((o) => withImage(o, image));
  const seen = new Set<string>();
  for (const o of objects) {
    const id = `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    if (seen.has(id)) throw new Error(`${relative(REPO_ROOT, dir)}: ${id} is defined twice`);
    seen.add(id);
  }
  return objects;
}

function applyPatch(objects: K8sObject[], entry: NonNullable<Kustomization['patches']>[number], dir: string) {
  const documents = entry.path
    ? readManifestFile(join(dir, entry.path))
    : (parseAllDocuments(entry.patch ?? '').map((d) => d.toJS()) as K8sObject[]);
  let result = objects;
  for (const patch of documents) {
    if (Array.isArray(patch))
      throw new Error(`${entry.path ?? 'inline patch'}: JSON 6902 patches are not supported here`);
    const kind = entry.target?.kind ?? patch.kind;
    const name = entry.target?.name ?? patch.metadata?.name;
    const matches = result.filter((o) => o.kind === kind && o.metadata.name === name);
    if (matches.length !== 1)
      throw new Error(`${entry.path ?? 'inline patch'}: ${kind}/${name} matches ${matches.length} objects`);
    result = result.map((o) => (o === matches[0] ? (strategicMerge(o, patch, '') as K8sObject) : o));
  }
  return result;
}

/** List fields merged item by item (strategic merge patch), by the key Kubernetes declares for them. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
};

function strategicMerge(target: unknown, patch: unknown, field: string): unknown {
  if (Array.isArray(patch)) {
    const key = MERGE_KEYS[field];
    if (key === undefined || !Array.isArray(target)) return patch;
    const merged = [...target] as Record<string, unknown>[];
    for (const item of patch as Record<string, unknown>[]) {
      const at = merged.findIndex((existing) => existing[key] === item[key]);
      if (at === -1) merged.push(item);
      else merged[at] = strategicMerge(merged[at], item, '') as Record<string, unknown>;
    }
    return merged;
  }
  if (isRecord(patch) && isRecord(target)) {
    const merged: Record<string, unknown> = { ...target };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete merged[k];
      else merged[k] = strategicMerge(target[k], v, k);
    }
    return merged;
  }
  return patch;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

type PodTemplate = { metadata?: { labels?: Record<string, string> }; spec?: { containers?: { image?: string }[] } };

/** The pod template of the workload kinds used here. */
const podTemplateOf = (o: K8sObject): PodTemplate | undefined =>
  ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(o.kind)
    ? ((o['spec'] as { template?: PodTemplate } | undefined)?.template ?? undefined)
    : undefined;

function withLabels(o: K8sObject, l: NonNullable<Kustomization['labels']>[number]): K8sObject {
  const copy = structuredClone(o) as K8sObject & { spec?: Record<string, unknown> };
  Object.assign(copy.metadata, { labels: { ...o.metadata.labels, ...l.pairs } });
  const template = podTemplateOf(copy);
  if (template && (l.includeTemplates || l.includeSelectors)) {
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, ...l.pairs } };
  }
  if (l.includeSelectors && copy.spec) {
    if (copy.kind === 'Service') copy.spec['selector'] = { ...(copy.spec['selector'] as object), ...l.pairs };
    const selector = copy.spec['selector'] as { matchLabels?: Record<string, string> } | undefined;
    if (['Deployment', 'StatefulSet', 'DaemonSet', 'PodDisruptionBudget'].includes(copy.kind) && selector) {
      selector.matchLabels = { ...selector.matchLabels, ...l.pairs };
    }
  }
  return copy;
}

function withImage(o: K8sObject, image: NonNullable<Kustomization['images']>[number]): K8sObject {
  if (!podTemplateOf(o)) return o;
  const copy = structuredClone(o);
  for (const container of podTemplateOf(copy)?.spec?.containers ?? []) {
    const [, name, tag, digest] = /^([^@]+?)(?::([^:/@]+))?(?:@(.+))?$/.exec(container.image ?? '') ?? [];
    if (name !== image.name) continue;
    const newTag = image.digest
      ? `@${image.digest}`
      : image.newTag
        ? `:${image.newTag}`
        : digest
          ? `@${digest}`
          : tag
            ? `:${tag}`
            : '';
    container.image = `${image.newName ?? name}${newTag}`;
  }
  return copy;
}

/** Every YAML file under a directory, at any depth. */
export function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? yamlFilesUnder(join(dir, entry.name))
      : /\.ya?ml$/.test(entry.name)
        ? [join(dir, entry.name)]
        : [],
  );
}

export const relativeToRepo = (path: string): string => relative(REPO_ROOT, path);

// --- what a Deployment's container gets ------------------------------------------------

interface EnvFromSource {
  readonly configMapRef?: { name: string; optional?: boolean };
  readonly secretRef?: { name: string; optional?: boolean };
  readonly prefix?: string;
}

interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: {
    configMapKeyRef?: { name: string; key: string };
    secretKeyRef?: { name: string; key: string };
  };
}

export interface ContainerSpec {
  readonly name: string;
  readonly image: string;
  readonly ports?: { name?: string; containerPort: number }[];
  readonly envFrom?: EnvFromSource[];
  readonly env?: EnvVar[];
  readonly readinessProbe?: { httpGet?: { path: string; port: number | string } };
  readonly livenessProbe?: { httpGet?: { path: string; port: number | string } };
  readonly startupProbe?: { httpGet?: { path: string; port: number | string } };
  readonly lifecycle?: { preStop?: { exec?: { command: string[] } } };
}

export const findObject = (objects: readonly K8sObject[], kind: string, name: string): K8sObject | undefined =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

export function appContainerOf(objects: readonly K8sObject[], app: string): ContainerSpec {
  const deployment = findObject(objects, 'Deployment', app);
  const containers = (deployment as { spec?: { template?: { spec?: { containers?: ContainerSpec[] } } } } | undefined)
    ?.spec?.template?.spec?.containers;
  const container = containers?.find((c) => c.name === app);
  if (!container) throw new Error(`no Deployment ${app} with a container ${app}`);
  return container;
}

/** Data of a ConfigMap or Secret (stringData, or base64 data), as the container sees it. */
function dataOf(object: K8sObject): Record<string, string> {
  const data = (object['data'] ?? {}) as Record<string, string>;
  if (object.kind === 'ConfigMap') return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, String(v)]));
  const decoded = Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]);
  return { ...Object.fromEntries(decoded), ...((object['stringData'] ?? {}) as Record<string, string>) };
}

export interface EnvironmentEntry {
  readonly name: string;
  readonly value: string;
  /** `ConfigMap/tally-common`, `Secret/tally-stores` or `env`. */
  readonly from: string;
}

/**
 * The environment an app's container starts with, resolved against the ConfigMaps and
 * Secrets among `objects` (a referenced one that is missing is an error, as it is for
 * the kubelet), in Kubernetes' order: envFrom sources in turn, then env.
 */
export function containerEnvironmentOf(objects: readonly K8sObject[], app: string): EnvironmentEntry[] {
  const container = appContainerOf(objects, app);
  const entries = new Map<string, EnvironmentEntry>();
  const source = (kind: 'ConfigMap' | 'Secret', name: string): Record<string, string> => {
    const found = findObject(objects, kind, name);
    if (!found) throw new Error(`${app} reads ${kind} ${name}, which is not among the manifests`);
    return dataOf(found);
  };
  for (const from of container.envFrom ?? []) {
    if (from.prefix) throw new Error(`${app}: envFrom prefix is not supported here`);
    const [kind, name] = from.configMapRef
      ? (['ConfigMap', from.configMapRef.name] as const)
      : (['Secret', from.secretRef?.name ?? ''] as const);
    for (const [key, value] of Object.entries(source(kind, name)))
      entries.set(key, { name: key, value, from: `${kind}/${name}` });
  }
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.configMapKeyRef ?? variable.valueFrom?.secretKeyRef;
    const kind = variable.valueFrom?.configMapKeyRef ? 'ConfigMap' : 'Secret';
    if (variable.valueFrom && !ref) throw new Error(`${app}: ${variable.name} comes from a source not supported here`);
    const value = ref ? source(kind, ref.name)[ref.key] : variable.value;
    if (value === undefined) throw new Error(`${app}: ${variable.name} has no value`);
    entries.set(variable.name, { name: variable.name, value, from: 'env' });
  }
  return [...entries.values()];
}

/** The example overlay, rendered: what `kubectl apply -k deploy/k8s/overlays/example` would apply. */
export const renderExampleOverlay = (): K8sObject[] => renderKustomization(K8S_OVERLAY_DIR);

/**
 * What an operator puts in the Secret keys whose example value is a placeholder the apps
 * refuse, made the way docs/operations.md says. The example's Secrets (secrets.yaml) are
 * placeholders by design: the operator replaces them, or creates the Secrets from a
 * secret store. Where an app refuses one as shipped — so that nobody runs the example
 * with a token anyone can read — the tests boot it with this stand-in instead, and
 * check that the shipped value is still refused. Only values from a Secret are stood in
 * for: a ConfigMap or a literal is checked as it is written.
 */
const OPERATOR_SECRETS: Readonly<Record<string, () => string>> = {
  ADMIN_TOKEN: () => randomBytes(32).toString('base64'), // openssl rand -base64 32
};

const isStoodIn = (entry: EnvironmentEntry) => entry.from.startsWith('Secret/') && entry.name in OPERATOR_SECRETS;

/** The environment once the operator has filled in the example's Secrets (OPERATOR_SECRETS). */
const withOperatorSecrets = (entries: readonly EnvironmentEntry[]): Record<string, string> =>
  Object.fromEntries(entries.map((e) => [e.name, isStoodIn(e) ? (OPERATOR_SECRETS[e.name]?.() ?? e.value) : e.value]));

/**
 * The environment Kubernetes gives an app in the example overlay, as `process.env` would
 * hold it once the operator has replaced the Secrets' placeholders (OPERATOR_SECRETS).
 */
export const kubernetesEnvironmentOf = (app: string): Record<string, string> =>
  withOperatorSecrets(containerEnvironmentOf(renderExampleOverlay(), app));

/** The part of an app's parsed configuration that the manifests must agree with. */
export interface DeployedConfig {
  readonly http: { readonly host: string; readonly port: number };
  readonly kafka?: { readonly brokers: readonly string[] };
  readonly redis?: { readonly url: string };
  readonly mongo?: { readonly url: string };
}

/**
 * What must agree between an app's config schema and its Deployment in the example
 * overlay: the app boots with the environment it gets (`load` is the app's own config
 * loader); every variable the manifests give it is one the schema reads (a typo or a
 * variable meant for another app is caught here, as the app itself would ignore it);
 * every variable the schema requires without a default is given; a Secret's placeholder
 * that the operator must replace (OPERATOR_SECRETS) is refused as shipped, naming the
 * variable, and the app boots with what the operator puts there; the app listens on
 * all interfaces, on the port its container declares, probes and is scraped on; it dials
 * no loopback address. `schemaShape` is the shape of the app's flat env schema.
 */
export function kubernetesDisagreements(
  app: string,
  schemaShape: Readonly<Record<string, z.ZodType>>,
  load: (env: Record<string, string>) => DeployedConfig,
): string[] {
  const objects = renderExampleOverlay();
  const problems: string[] = [];
  const entries = containerEnvironmentOf(objects, app);
  const environment = withOperatorSecrets(entries);
  let config: DeployedConfig;
  try {
    config = load(environment);
  } catch (error) {
    return [
      `${app} does not boot with its Kubernetes environment: ${error instanceof Error ? error.message : String(error)}`,
    ];
  }
  for (const placeholder of entries.filter(isStoodIn)) {
    try {
      load({ ...environment, [placeholder.name]: placeholder.value });
      problems.push(`${app} boots with the placeholder ${placeholder.name} of ${placeholder.from}, as shipped`);
    } catch (error) {
      if (!(error instanceof Error && error.message.includes(`${placeholder.name}: `)))
        problems.push(`${app} refuses the placeholder ${placeholder.name}, but not by naming it: ${String(error)}`);
    }
  }
  const given = new Set(entries.map((e) => e.name));
  for (const entry of entries) {
    if (!(entry.name in schemaShape)) {
      problems.push(`${app} gets ${entry.name} from ${entry.from}, which its config schema does not read`);
    }
  }
  for (const [name, field] of Object.entries(schemaShape)) {
    if (!field.safeParse(undefined).success && !given.has(name))
      problems.push(`${app} needs ${name}, which no manifest gives it`);
  }
  if (config.http.host !== '0.0.0.0')
    problems.push(`${app} listens on ${config.http.host}, not on the pod's addresses`);
  const dials = [
    ...(config.kafka?.brokers ?? []).map((b) => b.slice(0, b.lastIndexOf(':'))),
    ...[config.redis?.url, config.mongo?.url].flatMap((url) => (url ? [new URL(url).hostname] : [])),
  ];
  for (const host of dials) {
    if (/^(127\.|localhost$|\[?::1\]?$)/.test(host))
      problems.push(`${app} dials ${host}: a loopback default, not set for Kubernetes`);
  }
  const httpPort = config.http.port;
  const container = appContainerOf(objects, app);
  const portOf = (port: number | string | undefined) =>
    typeof port === 'string' ? container.ports?.find((p) => p.name === port)?.containerPort : port;
  const declared = container.ports?.map((p) => p.containerPort) ?? [];
  if (declared.length !== 1 || declared[0] !== httpPort) {
    problems.push(`${app} listens on ${httpPort}; its container declares ${JSON.stringify(declared)}`);
  }
  for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) {
    const port = portOf(container[probe]?.httpGet?.port);
    if (port !== httpPort) problems.push(`${app} ${probe} goes to port ${port}, the app listens on ${httpPort}`);
  }
  const deployment = findObject(objects, 'Deployment', app) as unknown as {
    spec: { template: { metadata: K8sObject['metadata'] } };
  };
  const scrapePort = deployment.spec.template.metadata.annotations?.['prometheus.io/port'];
  if (scrapePort !== String(httpPort))
    problems.push(`${app} is scraped on port ${scrapePort}, the app listens on ${httpPort}`);
  const service = findObject(objects, 'Service', app) as
    { spec?: { ports?: { targetPort?: number | string }[] } } | undefined;
  for (const p of service?.spec?.ports ?? []) {
    if (portOf(p.targetPort) !== httpPort) problems.push(`Service ${app} sends to ${p.targetPort}, not to ${httpPort}`);
  }
  return problems;
}
