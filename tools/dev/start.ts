import { spawnSync } from 'node:child_process';
import { stackDown, stackUp } from '../stack/stack';
import { loadStackConfig } from '../stack/stack-config';
import { REPO_ROOT } from '../stack/stack-paths';
import { DEMO_TENANT_NAME, provideTenant } from './demo-tenant';
import { APP_NAMES, LocalApp, supervisorProcess } from './local-apps';
import { workerBacklog } from './worker-backlog';

/** A backlog the worker takes more than a second or two to go through. */
const NOTABLE_BACKLOG = 1_000;

/**
 * `npm start`: the whole platform on this machine. Brings the real stack up (reusing
 * what already answers), builds the three apps, starts each as its own process,
 * waits until every one is ready, prints how to use it, and stays in the foreground
 * until Ctrl-C — then stops exactly what it started.
 */
const log = (line: string) => process.stdout.write(`[tally] ${line}\n`);

async function main(): Promise<void> {
  const stackConfig = loadStackConfig(process.env);
  const apps = APP_NAMES.map((name) => new LocalApp(name, stackConfig.appPorts[name]));

  const supervisor = supervisorProcess();
  if (supervisor.pid() !== undefined)
    throw new Error(`npm start is already running (pid ${supervisor.pid()}); use npm stop first`);
  supervisor.adopt(process.pid);

  const stack = await stackUp(stackConfig, [], (line) => log(line));
  const startedComponents = stack.filter((c) => c.state === 'started').map((c) => c.name);

  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    await Promise.all(apps.map(async (app) => (await app.process.stop()) && log(`${app.name}: stopped`)));
    // Only what this run started: services that were already up stay up.
    if (startedComponents.length > 0) await stackDown(stackConfig, startedComponents, log);
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  log('building the apps…');
  const build = spawnSync(
    `${REPO_ROOT}/node_modules/.bin/nx`,
    ['run-many', '-t', 'build', '--projects=tag:type:app', '--outputStyle=static'],
    {
      cwd: REPO_ROOT,
      stdio: 'inherit',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    },
  );
  if (build.status !== 0) throw new Error('the build failed');

  for (const app of apps) {
    if (app.process.pid() !== undefined) await app.process.stop();
    app.start();
    log(`${app.name}: starting on ${app.url} (log: ${app.process.logFile})`);
  }
  await Promise.all(apps.map((app) => app.waitReady()));

  const [ingest, worker, aggregation] = apps as [LocalApp, LocalApp, LocalApp];
  const demo = await provideTenant(DEMO_TENANT_NAME, stackConfig.mongo, stackConfig.redis);
  const backlog = await workerBacklog(stackConfig.kafka.brokers, process.env).catch(() => 0);
  const behind = backlog >= NOTABLE_BACKLOG;
  const backlogNote = behind
    ? `
Note: ${backlog} events are already in Kafka ahead of yours (tests and benchmarks share this
Kafka and leave theirs there), and the worker goes through them first: new events are
counted once it has. Watch it drain with
  curl -s ${worker.url}/metrics | grep '^processor_consumer_lag'
or start from an empty topic (and empty real-time counts; MongoDB keeps its events):
  npm stop; npm run stack -- reset kafka redis; npm start
`
    : '';
  process.stdout.write(`
Tally is running.

  ingest-api        ${ingest.url}        (events in)
  aggregation-api   ${aggregation.url}        (queries out)
  processor-worker  ${worker.url}        (Kafka → MongoDB + Redis; health and metrics)
  Prometheus        ${stackConfig.prometheus.url}
  Kafka ${stackConfig.kafka.brokers.join(',')} · Redis ${stackConfig.redis.url} · MongoDB ${stackConfig.mongo.url}

Demo tenant ${demo.tenantId} (keys shown once; the next npm start issues new ones):
  write key  ${demo.writeKey}
  read key   ${demo.readKey}

Send an event (Segment HTTP API; any Segment SDK works with host ${ingest.url}):
  curl -s -u '${demo.writeKey}:' -H 'content-type: application/json' ${ingest.url}/v1/track -d '{"event":"Signed Up","userId":"demo-user","properties":{"plan":"pro"}}'

See it counted (within a second or two${behind ? ' once the worker has caught up: see the note below' : ''}):
  curl -s -H 'authorization: Bearer ${demo.readKey}' ${aggregation.url}/aggregation
  curl -s -H 'authorization: Bearer ${demo.readKey}' '${aggregation.url}/v1/timeseries?interval=minute&from='$(date -u -d '-30 min' +%FT%TZ)
  curl -sN -H 'authorization: Bearer ${demo.readKey}' ${aggregation.url}/v1/live     # Server-Sent Events, Ctrl-C to stop
  curl -s -H 'authorization: Bearer ${demo.readKey}' -H 'content-type: application/json' ${aggregation.url}/v1/query -d '{"metrics":["events","uniques"],"breakdown":["properties.plan"]}'
  curl -s ${worker.url}/metrics | grep '^processor_events_total'
API descriptions: ${ingest.url}/docs · ${aggregation.url}/docs

Health and monitoring:
  curl -s ${ingest.url}/health/ready
  curl -s ${aggregation.url}/health/ready
  curl -s '${stackConfig.prometheus.url}/api/v1/query?query=up'

App logs: .tally/apps/<app>.log · stack logs: npm run stack -- logs
Ctrl-C (or \`npm stop\` from another terminal) stops everything started here.
${backlogNote}`);

  // Stay up; report an app that dies instead of leaving a half-running platform.
  setInterval(() => {
    const dead = apps.filter((app) => app.process.pid() === undefined);
    if (dead.length > 0 && !stopping) {
      for (const app of dead) log(`${app.name} exited; last log lines:\n${app.process.lastLogLines(20)}`);
      void shutdown(1);
    }
  }, 2_000);
}

main().catch((error: unknown) => {
  process.stderr.write(`[tally] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
