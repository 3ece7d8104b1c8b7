import { type Admin, CompressionTypes, type Consumer, type KafkaMessage, type Producer } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaTestBroker } from '@/scripts/peers/kafka-broker/index';
import { kafkaFor, quickConsumer, startTestBroker, uniqueName, waitFor } from './helpers';

let broker: KafkaTestBroker;
let admin: Admin;
let producer: Producer;
const consumers: Consumer[] = [];

beforeAll(async () => {
  broker = await startTestBroker();
  admin = kafkaFor(broker).admin();
  producer = kafkaFor(broker).producer();
  await Promise.all([admin.connect(), producer.connect()]);
});

afterEach(async () => {
  await Promise.all(consumers.splice(0).map((c) => c.disconnect()));
});

afterAll(async () => {
  await Promise.all([admin.disconnect(), producer.disconnect()]);
  await broker.stop();
});

interface Received {
  topic: string;
  partition: number;
  message: KafkaMessage;
  at: number;
}

async function consumeAll(
  topic: string,
  extra: Parameters<typeof quickConsumer>[2] = {},
): Promise<Received[]> {
  const consumer = quickConsumer(kafkaFor(broker), uniqueName('group'), extra);
  consumers.push(consumer);
  const received: Received[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      received.push({ topic, partition, message, at: Date.now() });
    },
  });
  return received;
}

describe('producing and consuming through a group', () => {
  it('round-trips keys, values and headers from sendBatch across topics', async () => {
    const [a, b] = [uniqueName('payments'), uniqueName('shipments')];
    await admin.createTopics({ topics: [{ topic: a }, { topic: b }] });
    await producer.sendBatch({
      topicMessages: [
        {
          topic: a,
          messages: [{ key: 'order-1', value: 'paid', headers: { correlationId: 'c-1', retry: '0' } }],
        },
        { topic: b, messages: [{ key: null, value: 'shipped', headers: { correlationId: 'c-2' } }] },
      ],
    });
    const fromA = await consumeAll(a);
    const fromB = await consumeAll(b);
    const [ra] = await waitFor(() => (fromA.length >= 1 ? fromA : undefined));
    const [rb] = await waitFor(() => (fromB.length >= 1 ? fromB : undefined));
    expect(ra?.message.key?.toString()).toBe('order-1');
    expect(ra?.message.value?.toString()).toBe('paid');
    expect(ra?.message.headers?.correlationId?.toString()).toBe('c-1');
    expect(ra?.message.headers?.retry?.toString()).toBe('0');
    expect(rb?.message.key).toBeNull();
    expect(rb?.message.headers?.correlationId?.toString()).toBe('c-2');
  });

  it('stores gzip batches as sent and indexes their record timestamps', async () => {
    const topic = uniqueName('gzip');
    await admin.createTopics({ topics: [{ topic }] });
    const t0 = 1_710_000_000_000;
    const messages = Array.from({ length: 20 }, (_, i) => ({
      key: `k${i}`,
      value: `compressed value ${i} `.repeat(20),
      timestamp: String(t0 + i * 10),
      headers: { n: String(i) },
    }));
    await producer.send({ topic, compression: CompressionTypes.GZIP, messages });
    const received = await consumeAll(topic);
    await waitFor(() => (received.length === 20 ? true : undefined));
    expect(received.map((r) => r.message.key?.toString())).toEqual(messages.map((m) => m.key));
    expect(received[7]?.message.value?.toString()).toBe(messages[7]?.value);
    expect(received[7]?.message.headers?.n?.toString()).toBe('7');
    expect(received[7]?.message.timestamp).toBe(String(t0 + 70));
    const [lookup] = await admin.fetchTopicOffsetsByTimestamp(topic, t0 + 65);
    expect(lookup?.offset).toBe('7');
  });

  it('wakes a long-poll fetch as soon as data arrives', async () => {
    const topic = uniqueName('long-poll');
    await admin.createTopics({ topics: [{ topic }] });
    const received = await consumeAll(topic, { maxWaitTimeInMs: 5000 });
    // Let the consumer join and park in a long poll on the empty partition.
    await new Promise((resolve) => setTimeout(resolve, 800));
    const sentAt = Date.now();
    await producer.send({ topic, messages: [{ value: 'wake up' }] });
    const [first] = await waitFor(() => (received.length > 0 ? received : undefined), 6000);
    expect(first?.message.value?.toString()).toBe('wake up');
    expect((first?.at ?? Number.POSITIVE_INFINITY) - sentAt).toBeLessThan(2000);
    const againAt = Date.now();
    await producer.send({ topic, messages: [{ value: 'again' }] });
    const both = await waitFor(() => (received.length > 1 ? received : undefined), 6000);
    // Leaving waits for the parked fetch; one more record ends it early instead of after 5 s.
    const leaving = Promise.all(consumers.splice(0).map((c) => c.disconnect()));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await producer.send({ topic, messages: [{ value: 'bye' }] });
    await leaving;
    expect((both[1]?.at ?? Number.POSITIVE_INFINITY) - againAt).toBeLessThan(2000);
  });

  it('accepts acks=0 produce without a response and still appends', async () => {
    const topic = uniqueName('fire-and-forget');
    await admin.createTopics({ topics: [{ topic }] });
    await producer.send({ topic, acks: 0, messages: [{ value: 'x' }, { value: 'y' }] });
    // The next acknowledged request on the same connection proves no stray response was queued.
    await producer.send({ topic, acks: 1, messages: [{ value: 'z' }] });
    const [offsets] = await admin.fetchTopicOffsets(topic);
    expect(offsets?.high).toBe('3');
  });

  it('auto-creates a topic on first metadata request when enabled', async () => {
    const topic = uniqueName('auto');
    await producer.send({ topic, messages: [{ value: 'created on demand' }] });
    expect(await admin.listTopics()).toContain(topic);
  });
});
