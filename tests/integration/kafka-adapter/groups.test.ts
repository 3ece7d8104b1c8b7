import type { Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeKafkaClients } from '@/server/brokers/kafka/client';
import { KafkaSource } from '@/server/brokers/kafka/kafka-source';
import type { ConsumerGroupDescription } from '@/server/brokers/kafka/types';
import { ServiceError } from '@/server/errors';
import {
  APACHE_KAFKA,
  type BrokerUnderTest,
  clusterConfig,
  OUR_BROKER,
  quickConsumer,
  RDKAFKA_MOCK,
  testKafka,
  uniqueName,
  waitFor,
} from './helpers';

afterAll(() => closeKafkaClients());

describe.each([APACHE_KAFKA, OUR_BROKER])(
  'admin views on $label (it serves the group admin APIs)',
  (kind) => {
    let broker: BrokerUnderTest;
    let source: KafkaSource;
    const consumers: Consumer[] = [];
    const topic = uniqueName('payments');
    const groupId = uniqueName('ledger');

    beforeAll(async () => {
      broker = await kind.start();
      await broker.createTopic(topic);
      source = new KafkaSource(clusterConfig(uniqueName('cluster'), broker.bootstrap));
      await source.produce(
        topic,
        [0, 1, 2].map((partition) => ({ value: `p${partition}`, partition })),
      );
      const kafka = testKafka(broker.bootstrap);
      for (let i = 0; i < 2; i++) {
        const consumer = quickConsumer(kafka, groupId);
        consumers.push(consumer);
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({ eachMessage: async () => {} });
      }
    });

    afterAll(async () => {
      await Promise.all(consumers.map((c) => c.disconnect()));
      await broker?.stop();
    });

    async function stableWithTwoMembers(): Promise<ConsumerGroupDescription> {
      return waitFor(async () => {
        const group = await source.describeGroup(groupId);
        const assigned = group.members.flatMap((m) => m.assignments.flatMap((a) => a.partitions));
        return group.state === 'Stable' && group.members.length === 2 && assigned.length === 3
          ? group
          : undefined;
      });
    }

    it('describes a live group: state, members and their decoded assignments', async () => {
      const group = await stableWithTwoMembers();
      expect(group).toMatchObject({ groupId, protocolType: 'consumer', state: 'Stable' });
      for (const m of group.members) {
        expect(m.clientId).toBe('adapter-test');
        expect(m.host).toBe('127.0.0.1');
        expect(m.assignments.every((a) => a.topic === topic)).toBe(true);
      }
      const partitions = group.members.flatMap((m) => m.assignments.flatMap((a) => a.partitions));
      expect(partitions.sort()).toEqual([0, 1, 2]);
    });

    it('lists groups, and reading records adds none', async () => {
      await stableWithTwoMembers();
      const before = await source.listGroups();
      expect(before).toContainEqual({ groupId, protocolType: 'consumer' });
      await source.readMessages({ topic, partition: 0, fromOffset: 0 });
      expect(await source.listGroups()).toEqual(before);
    });

    it('marks internal topics once the group has committed', async () => {
      await waitFor(async () => {
        const committed = await source.committedOffsets(groupId, [topic]);
        return committed.every((c) => c.offset === '1') ? true : undefined;
      });
      const topics = await source.listTopics();
      expect(topics).toContainEqual({ name: topic, partitions: 3, internal: false });
      expect(topics.find((t) => t.name === '__consumer_offsets')).toMatchObject({ internal: true });
    });

    it('answers not_found for a group that does not exist', async () => {
      await expect(source.describeGroup('no-such-group')).rejects.toMatchObject({
        code: 'not_found',
        message: expect.stringContaining('no-such-group'),
      });
    });
  },
);

describe("admin views on librdkafka's mock cluster (no ListGroups / DescribeGroups)", () => {
  let broker: BrokerUnderTest;
  let source: KafkaSource;

  beforeAll(async () => {
    broker = await RDKAFKA_MOCK.start();
    source = new KafkaSource(clusterConfig(uniqueName('mock'), broker.bootstrap));
  });

  afterAll(async () => {
    await broker?.stop();
  });

  it('reports listGroups and describeGroup as unsupported, and keeps working', async () => {
    const listed = await source.listGroups().catch((e: unknown) => e);
    expect(listed).toBeInstanceOf(ServiceError);
    expect(listed).toMatchObject({
      code: 'unsupported',
      message: expect.stringContaining('list consumer groups'),
    });
    await expect(source.describeGroup('any')).rejects.toMatchObject({ code: 'unsupported' });
    const topic = uniqueName('after');
    await broker.createTopic(topic);
    expect((await source.listTopics()).map((t) => t.name)).toContain(topic);
  });
});
