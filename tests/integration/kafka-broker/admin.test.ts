import type { Admin, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaTestBroker } from '@/scripts/peers/kafka-broker/index';
import { kafkaFor, startTestBroker, uniqueName } from './helpers';

let broker: KafkaTestBroker;
let admin: Admin;
let producer: Producer;

beforeAll(async () => {
  broker = await startTestBroker({ autoCreateTopics: false, defaultPartitions: 2 });
  const kafka = kafkaFor(broker);
  admin = kafka.admin();
  producer = kafka.producer();
  await Promise.all([admin.connect(), producer.connect()]);
});

afterAll(async () => {
  await Promise.all([admin.disconnect(), producer.disconnect()]);
  await broker.stop();
});

describe('topic administration over the wire', () => {
  it('creates, lists, describes and deletes topics', async () => {
    const name = uniqueName('orders');
    expect(await admin.createTopics({ topics: [{ topic: name, numPartitions: 3 }] })).toBe(true);
    expect(await admin.listTopics()).toContain(name);

    const { topics } = await admin.fetchTopicMetadata({ topics: [name] });
    expect(topics[0]?.name).toBe(name);
    expect(topics[0]?.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
    for (const p of topics[0]?.partitions ?? []) {
      expect(p.leader).toBe(1);
      expect(p.replicas).toEqual([1]);
    }

    await admin.deleteTopics({ topics: [name] });
    expect(await admin.listTopics()).not.toContain(name);
  });

  it('answers TOPIC_ALREADY_EXISTS for a second create', async () => {
    const name = uniqueName('dup');
    await admin.createTopics({ topics: [{ topic: name }] });
    // kafkajs turns an all-TOPIC_ALREADY_EXISTS answer into `false`; any other error would throw.
    expect(await admin.createTopics({ topics: [{ topic: name }] })).toBe(false);
  });

  it('uses the default partition count and rejects a replication factor above one', async () => {
    const name = uniqueName('defaults');
    await admin.createTopics({ topics: [{ topic: name }] });
    const { topics } = await admin.fetchTopicMetadata({ topics: [name] });
    expect(topics[0]?.partitions).toHaveLength(2);
    const tooMany = admin.createTopics({ topics: [{ topic: uniqueName('rf'), replicationFactor: 3 }] });
    await expect(tooMany).rejects.toMatchObject({
      errors: [expect.objectContaining({ type: 'INVALID_REPLICATION_FACTOR' })],
    });
  });

  it('refuses to create the internal offsets topic or a badly named one', async () => {
    for (const topic of ['__consumer_offsets', 'bad name!']) {
      await expect(admin.createTopics({ topics: [{ topic }] })).rejects.toMatchObject({
        errors: [expect.objectContaining({ type: 'INVALID_TOPIC_EXCEPTION' })],
      });
    }
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION when auto-creation is off', async () => {
    const missing = uniqueName('missing');
    await expect(admin.fetchTopicMetadata({ topics: [missing] })).rejects.toMatchObject({
      type: 'UNKNOWN_TOPIC_OR_PARTITION',
    });
    expect(await admin.listTopics()).not.toContain(missing);
  });

  it('reports earliest and latest offsets per partition', async () => {
    const name = uniqueName('offsets');
    await admin.createTopics({ topics: [{ topic: name, numPartitions: 2 }] });
    await producer.send({
      topic: name,
      messages: [
        { partition: 0, value: 'a' },
        { partition: 0, value: 'b' },
        { partition: 1, value: 'c' },
      ],
    });
    const offsets = await admin.fetchTopicOffsets(name);
    const byPartition = Object.fromEntries(offsets.map((o) => [o.partition, o]));
    expect(byPartition[0]).toMatchObject({ low: '0', high: '2', offset: '2' });
    expect(byPartition[1]).toMatchObject({ low: '0', high: '1', offset: '1' });
  });

  it('finds the earliest offset at or after a timestamp, per record inside batches', async () => {
    const name = uniqueName('by-time');
    await admin.createTopics({ topics: [{ topic: name, numPartitions: 1 }] });
    const t0 = 1_700_000_000_000;
    // One batch holding three timestamps, so the lookup must read records, not just batch bounds.
    await producer.send({
      topic: name,
      messages: [
        { value: 'first', timestamp: String(t0) },
        { value: 'second', timestamp: String(t0 + 1000) },
        { value: 'third', timestamp: String(t0 + 2000) },
      ],
    });
    const at = async (ts: number) => (await admin.fetchTopicOffsetsByTimestamp(name, ts))[0]?.offset;
    expect(await at(t0 - 1)).toBe('0');
    expect(await at(t0 + 1)).toBe('1');
    expect(await at(t0 + 1000)).toBe('1');
    expect(await at(t0 + 1500)).toBe('2');
    // None that recent: Kafka answers -1 and kafkajs substitutes the end offset.
    expect(await at(t0 + 5000)).toBe('3');
  });

  it('describes topic and broker configs', async () => {
    const name = uniqueName('configs');
    await admin.createTopics({
      topics: [{ topic: name, configEntries: [{ name: 'retention.ms', value: '3600000' }] }],
    });
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: 2, name },
        { type: 4, name: '1' },
      ],
    });
    const topicConfigs = Object.fromEntries(resources[0]?.configEntries.map((e) => [e.configName, e]) ?? []);
    expect(topicConfigs['retention.ms']).toMatchObject({ configValue: '3600000', isDefault: false });
    expect(topicConfigs['cleanup.policy']).toMatchObject({ configValue: 'delete', isDefault: true });
    const brokerNames = resources[1]?.configEntries.map((e) => e.configName);
    expect(brokerNames).toContain('auto.create.topics.enable');
  });
});
