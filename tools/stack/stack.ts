import { rmSync } from 'node:fs';
import { KafkaComponent } from './components/kafka.component';
import { MongoComponent } from './components/mongo.component';
import { PostgresComponent } from './components/postgres.component';
import { PrometheusComponent } from './components/prometheus.component';
import { RedisComponent } from './components/redis.component';
import type { Log, StackComponent } from './components/stack-component';
import type { StackConfig } from './stack-config';

export type ComponentState = 'started' | 'running' | 'external' | 'stopped';

export interface ComponentStatus {
  readonly name: string;
  readonly address: string;
  readonly state: ComponentState;
  readonly pid?: number;
  readonly logFile: string;
}

export function componentsOf(config: StackConfig): StackComponent[] {
  const postgres = new PostgresComponent();
  const mongo = new MongoComponent(config, postgres);
  return [
    new RedisComponent(config),
    // Only FerretDB needs PostgreSQL; a genuine mongod does not.
    ...(mongo.requires.includes(postgres.name) ? [postgres] : []),
    mongo,
    new KafkaComponent(config),
    new PrometheusComponent(config),
  ];
}

function select(config: StackConfig, names: readonly string[]): StackComponent[] {
  const all = componentsOf(config);
  if (names.length === 0) return all;
  const unknown = names.filter((n) => !all.some((c) => c.name === n));
  if (unknown.length > 0)
    throw new Error(`unknown component(s): ${unknown.join(', ')}; known: ${all.map((c) => c.name).join(', ')}`);
  // A component comes with what it requires (FerretDB with its PostgreSQL), listed before it.
  const wanted = new Set(names);
  for (const c of [...all].reverse()) if (wanted.has(c.name)) for (const r of c.requires ?? []) wanted.add(r);
  return all.filter((c) => wanted.has(c.name));
}

/**
 * Brings every component up, idempotently: ours already running is kept, anything
 * already answering on the configured address is used as it is, the rest is
 * provisioned (sequentially: apt and the JVM/Go builds would fight over two cores)
 * and started (concurrently: startup is mostly waiting).
 */
export async function stackUp(config: StackConfig, names: readonly string[], log: Log): Promise<ComponentStatus[]> {
  const components = select(config, names);
  const states = new Map<string, ComponentState>();
  for (const c of components) {
    if (c.process.pid() !== undefined) states.set(c.name, 'running');
    else if (await c.isAnswering()) states.set(c.name, 'external');
    else {
      await c.provision(log);
      states.set(c.name, 'started');
    }
  }
  try {
    // All start at once, except that a component waits for the ones it requires to be ready.
    const ready = new Map<string, Promise<void>>();
    for (const c of components) {
      const required = (c.requires ?? []).map((name) => ready.get(name));
      ready.set(
        c.name,
        (async () => {
          await Promise.all(required);
          const state = states.get(c.name);
          if (state === 'started') {
            log(`${c.name}: starting on ${c.address}`);
            await c.launch(log);
          }
          if (state !== 'external') await c.waitReady();
          await c.afterReady?.(log);
          log(`${c.name}: ready (${describe(state)})`);
        })(),
      );
    }
    await Promise.all(ready.values());
  } catch (error) {
    // A half-started stack is worse than none: stop what this call started, keep the rest.
    for (const c of components.filter((c) => states.get(c.name) === 'started')) await c.process.stop();
    throw error;
  }
  return components.map((c) => statusOf(c, states.get(c.name) ?? 'stopped'));
}

/** Stops the components this stack started (never anything else), in reverse order. */
export async function stackDown(config: StackConfig, names: readonly string[], log: Log): Promise<void> {
  for (const c of select(config, names).reverse()) {
    if (await c.process.stop()) log(`${c.name}: stopped`);
  }
}

/**
 * Stops the components this stack started and deletes their data (events, offsets,
 * counters, metrics), for a clean start. A component someone else runs is refused:
 * its data is not ours to delete; so is a reset that would leave data behind that refers to
 * the deleted data (`resetWith`: Kafka's offsets are referred to from Redis).
 */
export async function stackReset(config: StackConfig, names: readonly string[], log: Log): Promise<void> {
  const components = select(config, names);
  const selected = new Set(components.map((c) => c.name));
  const missing = components.flatMap((c) =>
    (c.resetWith ?? []).filter((w) => !selected.has(w.name)).map((w) => `${c.name} needs ${w.name}: ${w.why}`),
  );
  if (missing.length > 0) throw new Error(`reset them together (${missing.join('; ')})`);
  const foreign = [];
  for (const c of components) if (c.process.pid() === undefined && (await c.isAnswering())) foreign.push(c.name);
  if (foreign.length > 0)
    throw new Error(`not ours to reset (answering, not started by the stack): ${foreign.join(', ')}`);
  for (const c of [...components].reverse()) {
    if (await c.process.stop()) log(`${c.name}: stopped`);
    rmSync(c.process.runDir, { recursive: true, force: true });
    log(`${c.name}: data deleted (${c.process.runDir})`);
  }
}

export async function stackStatus(config: StackConfig): Promise<ComponentStatus[]> {
  return Promise.all(
    componentsOf(config).map(async (c) => {
      if (c.process.pid() !== undefined) return statusOf(c, 'running');
      return statusOf(c, (await c.isAnswering()) ? 'external' : 'stopped');
    }),
  );
}

export function stackLogs(config: StackConfig, names: readonly string[], lines: number): string {
  return select(config, names)
    .map((c) => `=== ${c.name} (${c.process.logFile}) ===\n${c.process.lastLogLines(lines)}`)
    .join('\n\n');
}

function describe(state: ComponentState | undefined): string {
  if (state === 'external') return 'already answering, used as is';
  return state === 'running' ? 'already running' : 'started';
}

function statusOf(c: StackComponent, state: ComponentState): ComponentStatus {
  const pid = c.process.pid();
  return { name: c.name, address: c.address, state, logFile: c.process.logFile, ...(pid ? { pid } : {}) };
}
