import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { type JvmProcess, javaCommand, mavenClasspath, startJvm, TEST_JVM_FLAGS } from '../jvm';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const HOST = '127.0.0.1';

export interface ApacheKafkaOptions {
  /** 1 (the default) or more combined broker+controller nodes in one KRaft quorum. */
  nodes?: number;
  /** The first node's client port; 0 (the default) picks free ports. */
  port?: number;
  /** `kafka.version` of the pom: the pinned 4.x by default. */
  version?: string;
  /** Java heap per node. */
  heap?: string;
  /** Extra server.properties for every node. */
  properties?: Record<string, string | number | boolean>;
  /** How long to wait for the cluster to serve Metadata. */
  timeoutMs?: number;
}

export interface ApacheKafkaNode {
  nodeId: number;
  port: number;
  /** The OS process id of the node's JVM while it runs, else null. */
  pid(): number | null;
}

export interface ApacheKafka {
  /** Every node's "host:port", comma-separated, as clients take it. */
  bootstrap: string;
  nodes: ApacheKafkaNode[];
  classpath: string;
  version: string;
  /** Stops one node cleanly (controlled shutdown); its data stays for startNode. */
  stopNode(nodeId: number): Promise<void>;
  /** Starts a stopped node again on the same ports and data, and waits until the cluster lists it. */
  startNode(nodeId: number): Promise<void>;
  /** Runs one of Kafka's own tools (a main class on the same classpath) and returns its stdout. */
  runTool(mainClass: string, args: string[]): Promise<string>;
  /** Stops every node and removes their files. */
  stop(): Promise<void>;
}

/** The Kafka version the pom pins. */
export function pinnedKafkaVersion(): string {
  const pom = readFileSync(path.join(HERE, 'pom.xml'), 'utf8');
  const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1];
  if (!version) throw new Error('scripts/peers/apache-kafka/pom.xml pins no kafka.version');
  return version;
}

/**
 * Starts Apache Kafka itself from Maven Central's jars: KRaft, every node both broker and controller,
 * on 127.0.0.1, with settings for tests (one replica, no initial rebalance delay, a small heap).
 */
export async function startApacheKafka(opts: ApacheKafkaOptions = {}): Promise<ApacheKafka> {
  const count = opts.nodes ?? 1;
  const version = opts.version ?? pinnedKafkaVersion();
  const [java, classpath] = await Promise.all([
    javaCommand(),
    mavenClasspath(HERE, { 'kafka.version': version }),
  ]);
  const root = mkdtempSync(path.join(os.tmpdir(), 'tidewatch-kafka-'));
  const clientPorts = opts.port ? range(count).map((i) => (opts.port ?? 0) + i) : await freePorts(count);
  const controllerPorts = await freePorts(count);
  const voters = range(count)
    .map((i) => `${i + 1}@${HOST}:${controllerPorts[i]}`)
    .join(',');
  const replicas = Math.min(3, count);
  const specs = range(count).map((i): NodeSpec => {
    const nodeId = i + 1;
    const dir = path.join(root, `node-${nodeId}`);
    const properties = {
      'process.roles': 'broker,controller',
      'node.id': nodeId,
      'controller.quorum.voters': voters,
      listeners: `PLAINTEXT://${HOST}:${clientPorts[i]},CONTROLLER://${HOST}:${controllerPorts[i]}`,
      'advertised.listeners': `PLAINTEXT://${HOST}:${clientPorts[i]}`,
      'controller.listener.names': 'CONTROLLER',
      'inter.broker.listener.name': 'PLAINTEXT',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'log.dirs': path.join(dir, 'data'),
      'num.partitions': 1,
      'default.replication.factor': replicas,
      // One partition for the offsets topic: fifty make the first group join take seconds.
      'offsets.topic.num.partitions': 1,
      'offsets.topic.replication.factor': replicas,
      'transaction.state.log.num.partitions': 1,
      'transaction.state.log.replication.factor': replicas,
      'transaction.state.log.min.isr': 1,
      'share.coordinator.state.topic.replication.factor': replicas,
      'share.coordinator.state.topic.min.isr': 1,
      'min.insync.replicas': 1,
      'group.initial.rebalance.delay.ms': 0,
      // A stopped node of a test cluster comes back within seconds; leave it its leaderships.
      'controlled.shutdown.max.retries': 1,
      ...opts.properties,
    };
    return { nodeId, port: clientPorts[i] ?? 0, dir, properties };
  });

  const processes = new Map<number, RunningNode>();
  const launch = { java, classpath, heap: opts.heap ?? '384m' };
  const kafka: ApacheKafka = {
    bootstrap: specs.map((s) => `${HOST}:${s.port}`).join(','),
    nodes: specs.map((s) => ({
      nodeId: s.nodeId,
      port: s.port,
      pid: () => processes.get(s.nodeId)?.jvm.child.pid ?? null,
    })),
    classpath,
    version,
    async stopNode(nodeId) {
      await processes.get(nodeId)?.stop();
      processes.delete(nodeId);
    },
    async startNode(nodeId) {
      const spec = specs.find((s) => s.nodeId === nodeId);
      if (!spec) throw new Error(`no node ${nodeId}`);
      if (processes.has(nodeId)) return;
      processes.set(nodeId, startNode(launch, spec));
      await waitForBrokers(kafka.bootstrap, specs.length, opts.timeoutMs ?? 90_000, () => failure(processes));
    },
    runTool: (mainClass, args) => kafkaTool(classpath, mainClass, args),
    async stop() {
      await Promise.all([...processes.values()].map((p) => p.stop()));
      processes.clear();
      rmSync(root, { recursive: true, force: true });
    },
  };

  try {
    const clusterId = kafkaUuid();
    await Promise.all(
      specs.map((spec) => {
        writeProperties(spec);
        return runJava(launch, spec.dir, 'kafka.tools.StorageTool', [
          'format',
          '--cluster-id',
          clusterId,
          '--config',
          path.join(spec.dir, 'server.properties'),
        ]);
      }),
    );
    for (const spec of specs) processes.set(spec.nodeId, startNode(launch, spec));
    await waitForBrokers(kafka.bootstrap, specs.length, opts.timeoutMs ?? 90_000, () => failure(processes));
    return kafka;
  } catch (err) {
    await kafka.stop();
    throw err;
  }
}

interface NodeSpec {
  nodeId: number;
  port: number;
  dir: string;
  properties: Record<string, string | number | boolean>;
}

interface Launch {
  java: string;
  classpath: string;
  heap: string;
}

interface RunningNode {
  jvm: JvmProcess;
  /** Set once the JVM has exited on its own, with the tail of its output and log. */
  exited: string | null;
  stop(): Promise<void>;
}

function writeProperties(spec: NodeSpec): void {
  const text = Object.entries(spec.properties)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
  rmSync(spec.dir, { recursive: true, force: true });
  mkdirSync(spec.dir, { recursive: true });
  writeFileSync(path.join(spec.dir, 'server.properties'), `${text}\n`);
}

function logArgs(logsDir: string): string[] {
  return [
    `-Dkafka.logs.dir=${logsDir}`,
    `-Dlog4j2.configurationFile=${path.join(HERE, 'log4j2.properties')}`,
  ];
}

function startNode(launch: Launch, spec: NodeSpec): RunningNode {
  const jvm = startJvm({
    ...launch,
    jvmArgs: [`-Xms${launch.heap}`, ...logArgs(spec.dir)],
    main: ['kafka.Kafka', path.join(spec.dir, 'server.properties')],
  });
  const node: RunningNode = { jvm, exited: null, stop: () => jvm.stop(15_000) };
  jvm.child.on('exit', (code, signal) => {
    node.exited = `node ${spec.nodeId} exited (${code ?? signal}): ${jvm.output()}${logTail(spec.dir)}`;
  });
  return node;
}

function failure(processes: Map<number, RunningNode>): string | null {
  for (const p of processes.values()) if (p.exited) return p.exited;
  return null;
}

function logTail(dir: string): string {
  try {
    return readFileSync(path.join(dir, 'server.log'), 'utf8').slice(-3000);
  } catch {
    return '';
  }
}

const execJava = promisify(execFile);

async function runJava(launch: Launch, logsDir: string, mainClass: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await execJava(
      launch.java,
      ['-Xmx256m', ...TEST_JVM_FLAGS, ...logArgs(logsDir), '-cp', launch.classpath, mainClass, ...args],
      { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
    );
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${mainClass} ${args.join(' ')} failed: ${e.stderr || e.stdout || e.message}`.slice(0, 4000),
    );
  }
}

/**
 * Runs one of Kafka's own command-line tools by its main class (`kafka-consumer-groups` is
 * `org.apache.kafka.tools.consumer.group.ConsumerGroupCommand`) on the broker's classpath.
 */
export async function kafkaTool(classpath: string, mainClass: string, args: string[]): Promise<string> {
  const logs = mkdtempSync(path.join(os.tmpdir(), 'tidewatch-kafka-tool-'));
  try {
    return await runJava({ java: await javaCommand(), classpath, heap: '256m' }, logs, mainClass, args);
  } finally {
    rmSync(logs, { recursive: true, force: true });
  }
}

/** Starts a long-running Kafka tool (a console consumer, say); stop() ends it. */
export async function startKafkaTool(
  classpath: string,
  mainClass: string,
  args: string[],
): Promise<JvmProcess> {
  return startJvm({ java: await javaCommand(), classpath, main: [mainClass, ...args] });
}

/** Waits until Metadata from the bootstrap lists `count` brokers, failing early if a node died. */
async function waitForBrokers(
  bootstrap: string,
  count: number,
  timeoutMs: number,
  died: () => string | null,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const dead = died();
    if (dead) throw new Error(`Apache Kafka did not start: ${dead}`);
    const kafka = new Kafka({
      clientId: 'tidewatch-peer-start',
      brokers: bootstrap.split(','),
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      requestTimeout: 3000,
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
      const { brokers } = await admin.describeCluster();
      if (brokers.length >= count) return;
      last = `${brokers.length} of ${count} brokers registered`;
    } catch (err) {
      last = (err as Error).message;
    } finally {
      await admin.disconnect().catch(() => {});
    }
    if (Date.now() > deadline)
      throw new Error(`Apache Kafka did not serve Metadata in ${timeoutMs} ms: ${last}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A Kafka Uuid as its tools print it: 16 random bytes, URL-safe base64 without padding, never starting with '-'. */
function kafkaUuid(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

async function freePorts(n: number): Promise<number[]> {
  // Hold every socket open until all are chosen, so the OS never hands out the same port twice.
  const servers = await Promise.all(
    range(n).map(
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen(0, HOST, () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
