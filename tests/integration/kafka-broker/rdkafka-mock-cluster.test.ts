import type { Consumer, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RdkafkaMockCluster, startRdkafkaMockCluster } from '@/tests/support/rdkafka-mock-cluster';
import { kafkaFor, quickConsumer, uniqueName, waitFor } from './helpers';

let cluster: RdkafkaMockCluster;
let kafka: Kafka;
let consumer: Consumer | undefined;

beforeAll(async () => {
  cluster = await startRdkafkaMockCluster();
  kafka = kafkaFor(cluster);
});

afterAll(async () => {
  await consumer?.disconnect();
  await cluster?.stop();
});

describe("librdkafka's mock cluster as a second broker implementation", () => {
  it('reports a loopback bootstrap address', () => {
    expect(cluster.bootstrap).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('takes kafkajs produce and serves it back to a kafkajs consumer group', async () => {
    const topic = uniqueName('mock');
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { key: 'k1', value: 'first', headers: { correlationId: 'c-1' } },
        { key: 'k2', value: 'second' },
      ],
    });
    await producer.disconnect();

    consumer = quickConsumer(kafka, uniqueName('mock-group'));
    const seen: string[] = [];
    let header = '';
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(`${message.key?.toString()}=${message.value?.toString()}`);
        header ||= message.headers?.correlationId?.toString() ?? '';
      },
    });
    await waitFor(() => (seen.length === 2 ? true : undefined), 20_000);
    expect(seen).toEqual(['k1=first', 'k2=second']);
    expect(header).toBe('c-1');
  });
});
