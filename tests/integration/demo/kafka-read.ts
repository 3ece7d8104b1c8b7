import { randomUUID } from 'node:crypto';
import { type IHeaders, Kafka, logLevel } from 'kafkajs';

export interface ReadRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

export function testKafka(bootstrap: string): Kafka {
  return new Kafka({
    clientId: 'demo-test',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 5 },
  });
}

/** Reads every record of `topics` up to their end offsets as of the call, with a fresh consumer group. */
export async function readTopics(kafka: Kafka, topics: string[], timeoutMs = 15_000): Promise<ReadRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const remaining = new Map<string, bigint>();
  for (const topic of topics) {
    for (const p of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(p.high) > BigInt(p.low)) remaining.set(`${topic}/${p.partition}`, BigInt(p.high));
    }
  }
  await admin.disconnect();

  const records: ReadRecord[] = [];
  if (remaining.size === 0) return records;
  const consumer = kafka.consumer({
    groupId: `demo-test-${randomUUID()}`,
    maxWaitTimeInMs: 200,
    heartbeatInterval: 500,
  });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }) => {
      const key = `${topic}/${partition}`;
      const end = remaining.get(key);
      if (end === undefined || BigInt(message.offset) >= end) return;
      records.push({
        topic,
        partition,
        offset: message.offset,
        key: message.key,
        value: message.value,
        headers: message.headers ?? {},
      });
      if (BigInt(message.offset) + 1n >= end) remaining.delete(key);
      if (remaining.size === 0) done();
    },
  });
  const timer = setTimeout(done, timeoutMs);
  await finished;
  clearTimeout(timer);
  await consumer.disconnect();
  if (remaining.size > 0) throw new Error(`did not reach the end of ${[...remaining.keys()].join(', ')}`);
  return records;
}
