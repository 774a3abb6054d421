import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One registry per app process, holding the process defaults (CPU, memory, event
 * loop lag, GC) labelled with the service name. Feature code registers its own
 * metrics on it beside the code they measure.
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}
