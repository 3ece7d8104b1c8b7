import 'server-only';
import { type Consumer, Kafka, type KafkaMessage } from 'kafkajs';
import { getKafkaClient, type KafkaConnectionConfig, kafkaOptions } from './client';

/** One partition's records as a fetch returned them, and the offset to commit once they are stored. */
export interface IndexBatch {
  topic: string;
  partition: number;
  records: KafkaMessage[];
  /** The offset after the batch's last: what the group commits. */
  next: string;
}

export interface IndexConsumerOptions {
  cluster: KafkaConnectionConfig;
  groupId: string;
  topics: string[];
  fromBeginning: boolean;
  /** Stores the batch; offsets are committed only after it resolves. A rejection re-reads the batch. */
  handle(batch: IndexBatch): Promise<void>;
  log(line: string): void;
}

export interface RunningIndexConsumer {
  /** False once kafkajs gave up on the member (a crash it does not restart from). */
  alive(): boolean;
  stop(): Promise<void>;
}

// Longer than the console's fail-fast admin timeouts: a group member must survive a slow store write.
const SESSION_TIMEOUT_MS = 30_000;
const HEARTBEAT_INTERVAL_MS = 3_000;

/** Every topic name of the cluster, internal ones included (the caller selects). */
export async function listTopicNames(cluster: KafkaConnectionConfig): Promise<string[]> {
  const admin = await getKafkaClient(cluster).admin();
  return admin.listTopics();
}

/**
 * A consumer group member that reads `topics` batch by batch: the records are stored first, then
 * the offset committed, so a crash in between re-reads (the store drops the repeats) and never skips.
 */
export async function startIndexConsumer(options: IndexConsumerOptions): Promise<RunningIndexConsumer> {
  const kafka = new Kafka({ ...kafkaOptions(options.cluster), clientId: `${options.groupId}` });
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: SESSION_TIMEOUT_MS,
    heartbeatInterval: HEARTBEAT_INTERVAL_MS,
    allowAutoTopicCreation: false,
    // A fetch waits at most this long for new records; leaving the group waits for the fetch in flight.
    maxWaitTimeInMs: 2_000,
  });
  let alive = true;
  consumer.on(consumer.events.CRASH, (event) => {
    if (!event.payload.restart) alive = false;
    options.log(`[indexer] ${options.cluster.name}: consumer crashed: ${event.payload.error.message}`);
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        if (!isRunning() || isStale() || batch.isEmpty()) return;
        const next = (BigInt(batch.lastOffset()) + 1n).toString();
        await options.handle({
          topic: batch.topic,
          partition: batch.partition,
          records: batch.messages,
          next,
        });
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
        resolveOffset(batch.lastOffset());
        await heartbeat();
      },
    });
  } catch (error) {
    await consumer.disconnect().catch(() => undefined);
    throw error;
  }
  return { alive: () => alive, stop: () => consumer.disconnect() };
}
