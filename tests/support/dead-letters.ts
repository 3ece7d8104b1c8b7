import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type JvmProcess, javaCommand, mavenClasspath, startJvm } from '@/scripts/peers/jvm';
import type { KafkaSource } from '@/server/brokers/kafka/kafka-source';
import type { KafkaRecord, MessageBytes, OutgoingMessage } from '@/server/brokers/kafka/types';
import { createReadyTopics } from '@/tests/support/kafka-topics';
import { freePort } from '@/tests/support/ports';
import { waitFor } from '@/tests/support/wait';

/*
 * Dead letters written by the frameworks themselves (tests/peers/): Spring Kafka's
 * DeadLetterPublishingRecoverer and Kafka Connect's error reporter, run as JVMs against a broker.
 */

const HERE = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(HERE), '../..');
const SPRING_DIR = path.join(ROOT, 'tests/peers/spring-dlt');
const CONNECT_DIR = path.join(ROOT, 'tests/peers/connect-dlq');
export const FIXTURES_DIR = path.join(ROOT, 'tests/fixtures/dead-letters');

/** The group id the Spring program reports its failures under. */
export const SPRING_GROUP_ID = 'billing-service';

/** Values are order totals in cents: the listener fails on anything that is not a whole number. */
export const SPRING_INPUT: OutgoingMessage[] = [
  { key: 'order-1001', value: '12,50', headers: [{ key: 'correlationId', value: 'c-1001' }], partition: 0 },
  { key: null, value: Buffer.from([0x00, 0xff, 0xfe, 0x41]), partition: 0 },
  {
    key: 'order-1002',
    value: 'twelve',
    headers: [
      { key: 'correlationId', value: 'c-1002' },
      { key: 'tenant', value: 'acme' },
    ],
    partition: 1,
  },
  { key: 'order-1003', value: '1250', headers: [{ key: 'correlationId', value: 'c-1003' }], partition: 1 },
];

/** JSON goes through the file sink; the rest is rejected by the JSON converter. */
export const CONNECT_INPUT: OutgoingMessage[] = [
  {
    key: 'order-2001',
    value: '{"orderId":"2001","total":1250}',
    headers: [{ key: 'correlationId', value: 'c-2001' }],
  },
  {
    key: 'order-2002',
    value: 'orderId=2002;total=12,50',
    headers: [{ key: 'correlationId', value: 'c-2002' }],
  },
  { key: null, value: '{"orderId":"2003",' },
  { key: 'order-2004', value: '{"orderId":"2004","total":990}' },
  { key: 'order-2005', value: Buffer.from([0x00, 0xff, 0xfe, 0x41]) },
];

export interface ProducedBy {
  framework: 'Spring Kafka' | 'Kafka Connect';
  /** The framework's version, from the jar that ran. */
  version: string;
  /** The kafka-clients jar the framework ran with. */
  kafkaClients: string;
  /** What ran, relative to the repository root. */
  program: string;
  /** The settings that shape the dead letters. */
  settings: Record<string, string>;
}

export interface DeadLetterRun {
  producedBy: ProducedBy;
  sourceTopic: string;
  deadLetterTopic: string;
  /** Partition count of both topics. */
  partitions: number;
  /** How many source records failed, so how many dead letters there are. */
  deadLetters: number;
  /** Connect only: the lines its file sink wrote for the records it could convert. */
  sinkLines: string[];
}

/** A record and where it lives. */
export interface TopicRecord extends KafkaRecord {
  topic: string;
  partition: number;
}

/** What tests/fixtures/dead-letters/*.json hold. */
export interface DeadLetterFixture {
  /** The broker the fixture was recorded on. */
  broker?: string;
  producedBy: ProducedBy;
  sourceTopic: string;
  deadLetterTopic: string;
  /** Every record of the dead-letter topic, by partition then offset. */
  deadLetters: TopicRecord[];
  /** Every record of the source topic, the ones that failed and the ones that did not. */
  originals: TopicRecord[];
}

/**
 * Produces SPRING_INPUT to `topic` and runs tests/peers/spring-dlt/DeadLetters.java, which
 * dead-letters the records its listener rejects to Spring Kafka 4's "<topic>-dlt".
 */
export async function runSpringDeadLetters(
  source: KafkaSource,
  bootstrap: string,
  topic: string,
): Promise<DeadLetterRun> {
  const partitions = 2;
  // Spring Kafka 4 names the dead-letter topic "<topic>-dlt" (3.x said "<topic>.DLT").
  const deadLetterTopic = `${topic}-dlt`;
  const [java, classpath] = await Promise.all([javaCommand(), mavenClasspath(SPRING_DIR)]);
  await createReadyTopics(
    bootstrap,
    [topic, deadLetterTopic].map((t) => ({ topic: t, numPartitions: partitions })),
  );
  await source.produce(topic, SPRING_INPUT);

  const program = path.join(SPRING_DIR, 'DeadLetters.java');
  // Java 11+ runs a single source file directly: no compile step, nothing built into the tree.
  const jvm = startJvm({ java, classpath, main: [program, bootstrap, topic] });
  let report = '';
  try {
    const code = await jvm.exited(60_000);
    report = jvm.output();
    if (code !== 0) throw new Error(`DeadLetters.java exited with ${code}: ${report}`);
  } finally {
    await jvm.stop();
  }
  // It prints "<failed> of <read> records dead-lettered" once every send is acknowledged.
  const deadLetters = Number(/(\d+) of \d+ records dead-lettered/.exec(report)?.[1] ?? Number.NaN);
  if (!(deadLetters > 0)) throw new Error(`DeadLetters.java dead-lettered nothing: ${report}`);
  await waitFor(async () => ((await count(source, deadLetterTopic)) === deadLetters ? true : undefined));
  return {
    producedBy: {
      framework: 'Spring Kafka',
      version: jarVersion(classpath, 'spring-kafka'),
      kafkaClients: jarVersion(classpath, 'kafka-clients'),
      program: path.relative(ROOT, program),
      settings: {
        recoverer:
          'new DeadLetterPublishingRecoverer(new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(props)))',
        exception: `ListenerExecutionFailedException(…, "${SPRING_GROUP_ID}", IllegalStateException(…, NumberFormatException))`,
      },
    },
    sourceTopic: topic,
    deadLetterTopic,
    partitions,
    deadLetters,
    sinkLines: [],
  };
}

/**
 * Produces CONNECT_INPUT to `topic` and runs Kafka Connect standalone with a file sink on it until
 * the records its JSON converter rejects are on "<topic>-dlq" and the others are in the sink file.
 */
export async function runConnectDeadLetters(
  source: KafkaSource,
  bootstrap: string,
  topic: string,
): Promise<DeadLetterRun> {
  const [java, classpath, port] = await Promise.all([javaCommand(), mavenClasspath(CONNECT_DIR), freePort()]);
  await createReadyTopics(bootstrap, [{ topic, numPartitions: 1 }]);
  await source.produce(topic, CONNECT_INPUT);

  const deadLetterTopic = `${topic}-dlq`;
  const accepted = CONNECT_INPUT.filter((m) => isJson(m.value)).length;
  const deadLetters = CONNECT_INPUT.length - accepted;
  const converters = {
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    // Plain JSON, as most producers write it: with schemas on, JSON without Connect's schema/payload
    // envelope would be rejected too, and "not JSON" would no longer be the only failure.
    'value.converter.schemas.enable': 'false',
  };
  const errors = {
    'errors.tolerance': 'all',
    'errors.deadletterqueue.topic.name': deadLetterTopic,
    'errors.deadletterqueue.context.headers.enable': 'true',
    // The default, 3, cannot be met by a one-node cluster.
    'errors.deadletterqueue.topic.replication.factor': '1',
  };
  const connectorClass = 'org.apache.kafka.connect.file.FileStreamSinkConnector';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tidewatch-connect-'));
  const sinkFile = path.join(dir, 'sink.txt');
  const worker = {
    'bootstrap.servers': bootstrap,
    ...converters,
    'offset.storage.file.filename': path.join(dir, 'connect.offsets'),
    // The file sink flushes at each offset commit: once a second, not once a minute.
    'offset.flush.interval.ms': '1000',
    listeners: `http://127.0.0.1:${port}`,
    // Our plugins are on the classpath and all have ServiceLoader manifests: skip the slow class scan.
    'plugin.discovery': 'service_load',
  };
  const connector = {
    name: `${topic}-file-sink`,
    'connector.class': connectorClass,
    'tasks.max': '1',
    topics: topic,
    file: sinkFile,
    ...errors,
  };
  let jvm: JvmProcess | undefined;
  try {
    writeFileSync(path.join(dir, 'worker.properties'), properties(worker));
    writeFileSync(path.join(dir, 'connector.properties'), properties(connector));
    const connect = startJvm({
      java,
      classpath,
      jvmArgs: ['-Dorg.slf4j.simpleLogger.defaultLogLevel=warn'],
      main: [
        'org.apache.kafka.connect.cli.ConnectStandalone',
        path.join(dir, 'worker.properties'),
        path.join(dir, 'connector.properties'),
      ],
    });
    jvm = connect;
    const sinkLines = await waitFor(async () => {
      if (connect.hasExited()) throw new Error('Kafka Connect exited');
      const lines = readLines(sinkFile);
      const dlq = await count(source, deadLetterTopic);
      return lines.length >= accepted && (dlq ?? 0) >= deadLetters ? lines : undefined;
    }, 90_000).catch((err: Error) => {
      throw new Error(`${err.message} before its dead letters were written: ${connect.output()}`);
    });
    return {
      producedBy: {
        framework: 'Kafka Connect',
        version: jarVersion(classpath, 'connect-runtime'),
        kafkaClients: jarVersion(classpath, 'kafka-clients'),
        program: `${path.relative(ROOT, path.join(CONNECT_DIR, 'pom.xml'))}: ConnectStandalone, configured by ${path.relative(ROOT, HERE)}`,
        settings: { ...converters, 'connector.class': connectorClass, ...errors },
      },
      sourceTopic: topic,
      deadLetterTopic,
      partitions: 1,
      deadLetters,
      sinkLines,
    };
  } finally {
    await jvm?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads a run's dead letters and its source records back through the adapter. */
export async function readDeadLetters(source: KafkaSource, run: DeadLetterRun): Promise<DeadLetterFixture> {
  const readTopic = async (topic: string) => {
    const records: TopicRecord[] = [];
    for (let partition = 0; partition < run.partitions; partition++) {
      const read = await source.readMessages({ topic, partition, fromOffset: 0, limit: 100 });
      records.push(...read.map((r) => ({ topic, partition, ...r })));
    }
    return records;
  };
  const [deadLetters, originals] = await Promise.all([
    readTopic(run.deadLetterTopic),
    readTopic(run.sourceTopic),
  ]);
  return {
    producedBy: run.producedBy,
    sourceTopic: run.sourceTopic,
    deadLetterTopic: run.deadLetterTopic,
    deadLetters,
    originals,
  };
}

export function loadFixture(name: 'spring-kafka' | 'kafka-connect'): DeadLetterFixture {
  return JSON.parse(readFileSync(path.join(FIXTURES_DIR, `${name}.json`), 'utf8')) as DeadLetterFixture;
}

/** A header's bytes; the header must appear exactly once. */
export function headerBytes(record: KafkaRecord, key: string): Buffer {
  const found = record.headers.filter((h) => h.key === key);
  if (found.length !== 1 || !found[0]?.value)
    throw new Error(`expected one "${key}" header with a value, found ${found.length}`);
  return Buffer.from(found[0].value.base64, 'base64');
}

export function headerText(record: KafkaRecord, key: string): string {
  return headerBytes(record, key).toString('utf8');
}

/** The source record a dead letter names, by topic, partition and offset. */
export function originalOf(
  fixture: Pick<DeadLetterFixture, 'originals'>,
  where: { topic: string; partition: number; offset: string },
): TopicRecord | undefined {
  return fixture.originals.find(
    (r) => r.topic === where.topic && r.partition === where.partition && r.offset === where.offset,
  );
}

/** The headers Spring Kafka adds, decoded as Spring encodes them: ints and longs big-endian, the rest UTF-8. */
export function springFacts(record: KafkaRecord) {
  const text = (name: string) => headerText(record, `kafka_dlt-${name}`);
  return {
    topic: text('original-topic'),
    partition: sized(record, 'kafka_dlt-original-partition', 4).readInt32BE(),
    offset: sized(record, 'kafka_dlt-original-offset', 8).readBigInt64BE().toString(),
    timestamp: Number(sized(record, 'kafka_dlt-original-timestamp', 8).readBigInt64BE()),
    timestampType: text('original-timestamp-type'),
    consumerGroup: text('original-consumer-group'),
    exceptionFqcn: text('exception-fqcn'),
    causeFqcn: text('exception-cause-fqcn'),
    message: text('exception-message'),
    stacktrace: text('exception-stacktrace'),
  };
}

/** The headers Kafka Connect adds: all UTF-8 text, partition and offset in decimal. */
export function connectFacts(record: KafkaRecord) {
  const text = (name: string) => headerText(record, `__connect.errors.${name}`);
  return {
    topic: text('topic'),
    partition: decimal(text('partition')),
    offset: String(decimal(text('offset'))),
    connectorName: text('connector.name'),
    taskId: text('task.id'),
    stage: text('stage'),
    className: text('class.name'),
    exceptionClassName: text('exception.class.name'),
    exceptionMessage: text('exception.message'),
    stacktrace: text('exception.stacktrace'),
  };
}

/** The "Caused by:" lines of a Java stack trace, outermost first. */
export function causes(stacktrace: string): string[] {
  return stacktrace.split('\n').filter((line) => line.startsWith('Caused by: '));
}

function sized(record: KafkaRecord, key: string, size: number): Buffer {
  const bytes = headerBytes(record, key);
  if (bytes.length !== size) throw new Error(`"${key}" has ${bytes.length} bytes, not ${size}`);
  return bytes;
}

function decimal(text: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`"${text}" is not a decimal number`);
  return Number(text);
}

/** Bytes as base64, to compare payloads exactly (null stays null). */
export function base64(bytes: MessageBytes | null): string | null {
  return bytes === null ? null : bytes.base64;
}

function isJson(value: OutgoingMessage['value']): boolean {
  try {
    const text =
      typeof value === 'string'
        ? value
        : new TextDecoder('utf-8', { fatal: true }).decode(value ?? undefined);
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Records on every partition of a topic; undefined until every partition has a leader. */
async function count(source: KafkaSource, topic: string): Promise<number | undefined> {
  try {
    const offsets = await source.partitionOffsets([topic]);
    return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  } catch {
    return undefined;
  }
}

/** The version in a jar's file name on the classpath, such as 4.1.2 for spring-kafka-4.1.2.jar. */
function jarVersion(classpath: string, artifact: string): string {
  const jar = classpath
    .split(path.delimiter)
    .map((entry) => path.basename(entry))
    .find((name) => name.startsWith(`${artifact}-`) && /^\d/.test(name.slice(artifact.length + 1)));
  if (!jar) throw new Error(`no ${artifact} jar on the classpath`);
  return jar.slice(artifact.length + 1, -'.jar'.length);
}

function readLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

function properties(entries: Record<string, string>): string {
  return `${Object.entries(entries)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
}
