import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ALL_TOPICS } from '@tally/contracts';
import { inputsHash, isStampCurrent, writeStamp } from '../cache-stamp';
import { ManagedProcess } from '../managed-process';
import { requireCommand } from '../provision';
import { waitUntil } from '../readiness';
import { splitHostPort, type StackConfig } from '../stack-config';
import { CACHE_DIR, REPO_ROOT, runDirOf } from '../stack-paths';
import type { Log, StackComponent } from './stack-component';

const POM = join(REPO_ROOT, 'tools', 'stack', 'kafka', 'pom.xml');
const LIB_DIR = join(CACHE_DIR, 'kafka', 'lib');

/**
 * A single-node Apache Kafka 4 broker in KRaft mode, run from its Maven Central jars
 * (no Docker engine, and no other distribution is reachable from our machines).
 */
export class KafkaComponent implements StackComponent {
  readonly name = 'kafka';
  readonly resetWith = [
    {
      name: 'redis',
      why: "processor-worker keeps each partition's applied-offset mark in Redis; with a new topic starting at offset 0, it would skip new events as already applied",
    },
  ];
  readonly address: string;
  readonly process: ManagedProcess;
  private readonly host: string;
  private readonly port: number;
  private readonly serverProperties: string;

  constructor(private readonly config: StackConfig) {
    const first = config.kafka.brokers[0];
    if (first === undefined) throw new Error('KAFKA_BROKERS is empty');
    ({ host: this.host, port: this.port } = splitHostPort(first));
    this.address = config.kafka.brokers.join(',');
    const runDir = runDirOf('kafka');
    this.serverProperties = join(runDir, 'server.properties');
    this.process = new ManagedProcess('kafka', runDir, this.serverProperties);
  }

  isAnswering(): Promise<boolean> {
    return this.describeCluster(1_000);
  }

  async provision(log: Log): Promise<void> {
    if (this.config.kafka.brokers.length > 1) {
      throw new Error(
        `KAFKA_BROKERS lists ${this.config.kafka.brokers.length} brokers and none answers; the stack only starts a single local broker`,
      );
    }
    requireCommand('java', 'to run the Kafka broker (Java 17+)');
    const hash = inputsHash([POM]);
    const stamp = join(CACHE_DIR, 'kafka', 'lib.stamp');
    if (isStampCurrent(stamp, hash)) return;
    requireCommand('mvn', 'to fetch the Kafka jars from Maven Central');
    log('fetching Apache Kafka jars from Maven Central (first run only)…');
    rmSync(LIB_DIR, { recursive: true, force: true });
    mkdirSync(LIB_DIR, { recursive: true });
    execFileSync(
      'mvn',
      [
        '-B',
        '-q',
        '-Dstyle.color=never',
        '-f',
        POM,
        'dependency:copy-dependencies',
        `-DoutputDirectory=${LIB_DIR}`,
        '-DincludeScope=runtime',
      ],
      { stdio: ['ignore', 2, 2] },
    );
    writeStamp(stamp, hash);
  }

  async launch(log: Log): Promise<void> {
    const runDir = this.process.runDir;
    const dataDir = join(runDir, 'data');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(this.serverProperties, this.brokerProperties(dataDir));
    writeFileSync(join(runDir, 'log4j2.properties'), LOG4J2_PROPERTIES);
    const classpath = `${LIB_DIR}/*`;
    if (!existsSync(join(dataDir, 'meta.properties'))) {
      log('kafka: formatting storage (first start)');
      const clusterId = this.java(classpath, ['kafka.tools.StorageTool', 'random-uuid']).trim().split('\n').pop() ?? '';
      this.java(classpath, [
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId,
        '-c',
        this.serverProperties,
        '--ignore-formatted',
      ]);
    }
    this.process.start('java', [
      '-Xms256m',
      '-Xmx768m',
      '-XX:+UseG1GC',
      `-Dlog4j2.configurationFile=${join(runDir, 'log4j2.properties')}`,
      '-cp',
      classpath,
      'kafka.Kafka',
      this.serverProperties,
    ]);
  }

  waitReady(): Promise<void> {
    return waitUntil('kafka', () => this.describeCluster(2_000), {
      timeoutMs: 90_000,
      describeFailure: () => this.process.lastLogLines(),
      isDead: () => this.process.pid() === undefined,
    });
  }

  /** Creates the registry's topics that are missing, whoever runs the broker. */
  async afterReady(log: Log): Promise<void> {
    const admin = this.client(5_000).admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = ALL_TOPICS.filter((t) => !existing.has(t.name));
      if (missing.length === 0) return;
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({ topic: t.name, numPartitions: this.config.kafka.partitions })),
      });
      log(`kafka: created ${missing.map((t) => t.name).join(', ')} (${this.config.kafka.partitions} partitions)`);
    } finally {
      await admin.disconnect();
    }
  }

  private brokerProperties(dataDir: string): string {
    const controllerPort = this.port + 1;
    return [
      '# Written by tools/stack: one node acting as broker and KRaft controller.',
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@${this.host}:${controllerPort}`,
      `listeners=PLAINTEXT://${this.host}:${this.port},CONTROLLER://${this.host}:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://${this.host}:${this.port}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name=PLAINTEXT',
      `log.dirs=${dataDir}`,
      `num.partitions=${this.config.kafka.partitions}`,
      'default.replication.factor=1',
      'min.insync.replicas=1',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'transaction.state.log.num.partitions=1',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      // The first consumer group would otherwise wait 3 s before its first assignment.
      'group.initial.rebalance.delay.ms=0',
      // Topics come from the registry only; a typo in a topic name must fail, not create a topic.
      'auto.create.topics.enable=false',
      'log.retention.hours=24',
      '',
    ].join('\n');
  }

  private java(classpath: string, args: string[]): string {
    return execFileSync(
      'java',
      ['-cp', classpath, `-Dlog4j2.configurationFile=${join(this.process.runDir, 'log4j2.properties')}`, ...args],
      {
        encoding: 'utf8',
      },
    );
  }

  private client(timeoutMs: number): Kafka {
    return new Kafka({
      clientId: 'tally-stack',
      brokers: [...this.config.kafka.brokers],
      connectionTimeout: timeoutMs,
      requestTimeout: timeoutMs,
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
  }

  private async describeCluster(timeoutMs: number): Promise<boolean> {
    const admin = this.client(timeoutMs).admin();
    try {
      await admin.connect();
      return (await admin.describeCluster()).brokers.length > 0;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

/** Kafka's own INFO logging is very chatty; WARN keeps the log readable. */
const LOG4J2_PROPERTIES = `status = error
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.stdout.ref = STDOUT
logger.raftserver.name = kafka.server.KafkaRaftServer
logger.raftserver.level = INFO
`;
