import { Kafka, logLevel, type Message } from 'kafkajs';
import type { KafkaClusterConfig } from '@/lib/config/schema';
import { KafkaDeadLetters } from '@/server/brokers/kafka/dead-letters';
import { MAX_BATCH } from '@/server/replay/run-replay';
import type { StoreDialect } from '@/server/store/db';
import { springDeadLetters } from '@/tests/integration/replay/support/kafka-replay';
import { createReadyTopics } from '@/tests/support/kafka-topics';
import { type GuardedRun, guardedReplay } from './replay-guarded';

/*
 * Kafka half of the replay benchmark: a DLT of Spring-style dead letters (the original topic in
 * kafka_dlt-original-topic) on Apache Kafka, replayed to that topic through the product, and the same
 * records sent with kafkajs's producer.sendBatch in the runner's batch size (MAX_BATCH) as the baseline.
 */

/** The runner sends at most this many messages per batch: the baseline sends batches of as many. */
export const RUNNER_BATCH = MAX_BATCH;
const PARTITIONS = 3;
const SEED_CHUNK = 1_000;

export interface KafkaReplayContext {
  bootstrap: string;
  target: string;
  dlq: string;
  /** The DLT's end offset per partition: every record from 0 up to it is a dead letter to replay. */
  ends: { partition: number; end: number }[];
}

export function benchKafka(bootstrap: string, clientId: string): Kafka {
  return new Kafka({ clientId, brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
}

export function benchCluster(bootstrap: string, name = 'bench-kafka'): KafkaClusterConfig {
  return { name, brokers: [bootstrap], clientId: 'tidewatch-bench', ssl: false, dlqPatterns: ['*.DLT'] };
}

/** Creates the target and its DLT and fills the DLT with `count` dead letters of the target. */
export async function seedKafkaDlq(bootstrap: string, count: number): Promise<KafkaReplayContext> {
  const target = `bench-orders-${Date.now().toString(36)}`;
  const dlq = `${target}.DLT`;
  await createReadyTopics(bootstrap, [
    { topic: target, numPartitions: PARTITIONS },
    { topic: dlq, numPartitions: PARTITIONS },
  ]);
  const kafka = benchKafka(bootstrap, 'bench-seed');
  const producer = kafka.producer();
  await producer.connect();
  const admin = kafka.admin();
  await admin.connect();
  try {
    const letters = springDeadLetters(target, count);
    for (let i = 0; i < letters.length; i += SEED_CHUNK) {
      await producer.send({ topic: dlq, acks: -1, messages: letters.slice(i, i + SEED_CHUNK) });
    }
    const offsets = await admin.fetchTopicOffsets(dlq);
    const ends = offsets.map((o) => ({ partition: o.partition, end: Number(o.high) }));
    const total = ends.reduce((n, e) => n + e.end, 0);
    if (total !== count) throw new Error(`seeded ${count} dead letters, the DLT holds ${total}`);
    return { bootstrap, target, dlq, ends: ends.sort((a, b) => a.partition - b.partition) };
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
}

/** The DLT's message ids in the order the preview freezes them: partition by partition, by offset. */
function messageIds(ctx: KafkaReplayContext): string[] {
  return ctx.ends.flatMap(({ partition, end }) => Array.from({ length: end }, (_, o) => `${partition}:${o}`));
}

async function targetTotal(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
}

export interface KafkaReplayFigures {
  ms: number;
  messages: number;
  /** Records the target gained: each path must add exactly one per dead letter. */
  landed: number;
  product?: GuardedRun;
}

/** preview → confirm → runReplay of every dead letter on a fresh store; confirm → done is timed. */
export async function kafkaProductReplay(
  ctx: KafkaReplayContext,
  dialect: StoreDialect,
): Promise<KafkaReplayFigures> {
  const kafka = benchKafka(ctx.bootstrap, 'bench-check');
  const before = await targetTotal(kafka, ctx.target);
  const cluster = benchCluster(ctx.bootstrap);
  const ids = messageIds(ctx);
  const run = await guardedReplay(dialect, new KafkaDeadLetters(cluster), ctx.dlq, ids, {
    kafkaClusters: [cluster],
  });
  const landed = (await targetTotal(kafka, ctx.target)) - before;
  return { ms: run.confirmToDoneMs, messages: run.sent, landed, product: run };
}

/** Reads the whole DLT with a consumer group of its own (not timed): the records as the baseline sends them. */
async function readDlq(kafka: Kafka, ctx: KafkaReplayContext): Promise<Message[]> {
  const total = ctx.ends.reduce((n, e) => n + e.end, 0);
  const byPartition = new Map<number, Message[]>(ctx.ends.map((e) => [e.partition, []]));
  let read = 0;
  const consumer = kafka.consumer({ groupId: `bench-replay-baseline-${process.pid}-${Date.now()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: ctx.dlq, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            const into = byPartition.get(batch.partition) ?? [];
            for (const m of batch.messages) {
              into.push({ key: m.key, value: m.value, headers: m.headers });
              read++;
            }
            if (read >= total) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return ctx.ends.flatMap((e) => byPartition.get(e.partition) ?? []);
}

/** The same records, in the same order and batches of RUNNER_BATCH, straight through producer.sendBatch. */
export async function kafkaBaselineReplay(ctx: KafkaReplayContext): Promise<KafkaReplayFigures> {
  const kafka = benchKafka(ctx.bootstrap, 'bench-baseline');
  const records = await readDlq(kafka, ctx);
  const before = await targetTotal(kafka, ctx.target);
  const producer = kafka.producer();
  await producer.connect();
  let ms: number;
  try {
    const started = performance.now();
    for (let i = 0; i < records.length; i += RUNNER_BATCH) {
      const messages = records.slice(i, i + RUNNER_BATCH);
      await producer.sendBatch({ acks: -1, topicMessages: [{ topic: ctx.target, messages }] });
    }
    ms = performance.now() - started;
  } finally {
    await producer.disconnect();
  }
  const landed = (await targetTotal(kafka, ctx.target)) - before;
  return { ms, messages: records.length, landed };
}
