import type { Admin, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaTestBroker } from '@/scripts/peers/kafka-broker/index';
import { kafkaFor, startTestBroker, uniqueName } from './helpers';

let broker: KafkaTestBroker;
let admin: Admin;
let producer: Producer;

beforeAll(async () => {
  broker = await startTestBroker();
  admin = kafkaFor(broker).admin();
  producer = kafkaFor(broker).producer();
  await Promise.all([admin.connect(), producer.connect()]);
});

afterAll(async () => {
  await Promise.all([admin.disconnect(), producer.disconnect()]);
  await broker.stop();
});

describe('faults on demand', () => {
  it('stops and restarts on the same port, keeping data, while a producer reconnects', async () => {
    const topic = uniqueName('survivor');
    broker.createTopic(topic, 1);
    await producer.send({ topic, messages: [{ value: 'before' }] });
    const port = broker.port;

    await broker.stop();
    const sending = producer.send({ topic, messages: [{ value: 'after' }] });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await broker.restart();
    await sending;

    expect(broker.port).toBe(port);
    const [offsets] = await admin.fetchTopicOffsets(topic);
    expect(offsets?.high).toBe('2');
  });

  it('drops every connection and clients reconnect', async () => {
    const topic = uniqueName('dropped');
    broker.createTopic(topic, 1);
    await producer.send({ topic, messages: [{ value: 'one' }] });
    broker.dropConnections();
    await producer.send({ topic, messages: [{ value: 'two' }] });
    expect(await admin.listTopics()).toContain(topic);
    const [offsets] = await admin.fetchTopicOffsets(topic);
    expect(offsets?.high).toBe('2');
  });

  it('delays responses by the configured time', async () => {
    const topic = uniqueName('slow');
    broker.createTopic(topic, 1);
    await admin.fetchTopicOffsets(topic);
    broker.setResponseDelay(400);
    const started = Date.now();
    await admin.fetchTopicOffsets(topic);
    const slow = Date.now() - started;
    broker.setResponseDelay(0);
    const again = Date.now();
    await admin.fetchTopicOffsets(topic);
    expect(slow).toBeGreaterThanOrEqual(400);
    expect(Date.now() - again).toBeLessThan(400);
  });
});
