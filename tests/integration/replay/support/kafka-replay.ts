import fs from 'node:fs/promises';
import type { Kafka } from 'kafkajs';
import { replayConfigSchema } from '@/lib/config/replay-schema';
import type { KafkaClusterConfig } from '@/lib/config/schema';
import { KafkaDeadLetters } from '@/server/brokers/kafka/dead-letters';
import type { ReplayDeps } from '@/server/replay/replay-deps';
import type { Store } from '@/server/store/db';
import { testKafka } from '@/tests/integration/kafka-adapter/helpers';
import { tempDir, testAuditContext } from '@/tests/integration/store/support/audit-context';
import { quickConsumer } from '@/tests/support/kafka-consumer';
import { createReadyTopics } from '@/tests/support/kafka-topics';
import { uniqueName } from '@/tests/support/wait';

export interface ReadRecord {
  key: string | null;
  value: string | null;
  headers: Record<string, string[]>;
}

/** Spring-style dead letters of `target`: a key, a business event id, and the failure headers. */
export function springDeadLetters(target: string, n: number) {
  return Array.from({ length: n }, (_, i) => ({
    key: `order-${i}`,
    value: JSON.stringify({ event_id: `e-${i}`, order_id: `o-${i}` }),
    headers: {
      event_id: `e-${i}`,
      'kafka_dlt-original-topic': target,
      'kafka_dlt-exception-message': `boom ${i}`,
      'kafka_dlt-exception-fqcn': 'java.lang.IllegalStateException',
    },
  }));
}

export async function replayDeps(store: Store, cluster: KafkaClusterConfig, config: object) {
  const dir = await tempDir();
  const deps: ReplayDeps = {
    store,
    sources: [new KafkaDeadLetters(cluster)],
    kafkaClusters: [cluster],
    config: replayConfigSchema.parse(config),
    audit: testAuditContext(dir),
  };
  return { deps, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

/** Every record of `topic` read by a plain kafkajs consumer of its own: the independent reader. */
export async function readAll(
  kafka: Kafka,
  topic: string,
  expected: number,
  waitMs = 8000,
): Promise<ReadRecord[]> {
  const consumer = quickConsumer(kafka, uniqueName('replay-reader'));
  const records: ReadRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const deadline = Date.now() + waitMs;
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string[]> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) {
          const values = Array.isArray(v) ? v : [v];
          headers[k] = values.map((x) => (x === undefined ? '' : x.toString()));
        }
        records.push({
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? null,
          headers,
        });
      },
    });
    // Past the expected count too, for a while: a duplicate must have the chance to show.
    while (Date.now() < deadline && records.length < expected) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1000));
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** The cluster the replay tests configure: the integration setup's Apache Kafka, DLTs named `*.DLT`. */
export function replayCluster(bootstrap: string): KafkaClusterConfig {
  return { name: 'rk', brokers: [bootstrap], clientId: 'tidewatch-test', ssl: false, dlqPatterns: ['*.DLT'] };
}

/** A fresh target topic and its `.DLT`, the DLT holding `letters(target)`. */
export async function seedDlt(
  bootstrap: string,
  prefix: string,
  partitions: { target: number; dlt: number },
  letters: (target: string) => { key: string; value: string; headers: Record<string, string> }[],
): Promise<{ target: string; dlt: string }> {
  const target = uniqueName(prefix);
  const dlt = `${target}.DLT`;
  await createReadyTopics(bootstrap, [
    { topic: target, numPartitions: partitions.target },
    { topic: dlt, numPartitions: partitions.dlt },
  ]);
  const producer = testKafka(bootstrap).producer();
  await producer.connect();
  try {
    await producer.send({ topic: dlt, messages: letters(target) });
  } finally {
    await producer.disconnect();
  }
  return { target, dlt };
}
