import type { Consumer, Kafka } from 'kafkajs';
import type { Lifecycle } from './lifecycle';

/** Consumer settings that join fast and leave fast, so the demo starts and stops in seconds. */
function consumerFor(kafka: Kafka, groupId: string): Consumer {
  return kafka.consumer({
    groupId,
    sessionTimeout: 10_000,
    rebalanceTimeout: 10_000,
    heartbeatInterval: 1000,
    maxWaitTimeInMs: 500,
    retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 5 },
  });
}

export interface ConsumerGroups {
  stop(): Promise<void>;
}

/** A group that reads its topics and keeps up with them. */
async function steady(kafka: Kafka, groupId: string, topics: string[]): Promise<Consumer> {
  const consumer = consumerFor(kafka, groupId);
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({ eachMessage: async () => {} });
  return consumer;
}

/**
 * shipping-service handles half as many records per second as arrive, so its lag grows steadily:
 * the demo's "falling behind" group.
 */
async function slow(kafka: Kafka, rate: number, life: Lifecycle): Promise<Consumer> {
  const perMessageMs = rate > 0 ? Math.max(20, 2000 / rate) : 1000;
  const consumer = consumerFor(kafka, 'shipping-service');
  await consumer.connect();
  await consumer.subscribe({ topics: ['payments'], fromBeginning: true });
  await consumer.run({
    autoCommitInterval: 1000,
    eachMessage: async () => {
      await life.sleep(perMessageMs);
    },
  });
  return consumer;
}

/**
 * analytics-loader reads for a few seconds, commits what it read once, and leaves for good: a
 * stopped group whose committed offsets fall further behind the end as traffic goes on.
 */
async function stopping(kafka: Kafka, life: Lifecycle, log: (line: string) => void): Promise<Consumer> {
  const consumer = consumerFor(kafka, 'analytics-loader');
  const seen = new Map<string, { topic: string; partition: number; offset: string }>();
  await consumer.connect();
  await consumer.subscribe({ topics: ['orders', 'shipments'], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }) => {
      seen.set(`${topic}/${partition}`, { topic, partition, offset: String(BigInt(message.offset) + 1n) });
    },
  });
  const finish = async () => {
    // At least a few seconds of reading, longer until every partition of both topics was read once.
    await life.sleep(3000);
    for (let waited = 0; waited < 10_000 && seen.size < 6 && life.running; waited += 250)
      await life.sleep(250);
    if (!life.running) return;
    if (seen.size > 0) await consumer.commitOffsets([...seen.values()]);
    await consumer.disconnect();
    log(`analytics-loader committed ${seen.size} partitions and stopped`);
  };
  life.track(finish(), (err) => log(`analytics-loader: ${String(err)}`));
  return consumer;
}

/** Starts the five consumer groups the fleet page shows. */
export async function startConsumerGroups(
  kafka: Kafka,
  rate: number,
  life: Lifecycle,
  log: (line: string) => void,
): Promise<ConsumerGroups> {
  const consumers = await Promise.all([
    steady(kafka, 'inventory-service', ['orders']),
    steady(kafka, 'payment-service', ['inventory']),
    steady(kafka, 'notification-service', ['shipments']),
    slow(kafka, rate, life),
    stopping(kafka, life, log),
  ]);
  return {
    // Disconnecting a consumer that already left is a no-op in kafkajs.
    stop: async () => {
      await Promise.allSettled(consumers.map((c) => c.disconnect()));
    },
  };
}
