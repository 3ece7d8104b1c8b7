import { type Admin, AssignerProtocol, type Consumer, type Kafka, type Producer } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaTestBroker } from '@/scripts/peers/kafka-broker/index';
import { kafkaFor, quickConsumer, startTestBroker, uniqueName, waitFor } from './helpers';

let broker: KafkaTestBroker;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
const running: Consumer[] = [];

beforeAll(async () => {
  broker = await startTestBroker();
  kafka = kafkaFor(broker);
  admin = kafka.admin();
  producer = kafka.producer();
  await Promise.all([admin.connect(), producer.connect()]);
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.disconnect()));
});

afterAll(async () => {
  await Promise.all([admin.disconnect(), producer.disconnect()]);
  await broker.stop();
});

/** Starts a consumer and records the partitions each group generation hands it. */
async function member(
  groupId: string,
  topic: string,
): Promise<{ consumer: Consumer; partitions: () => number[] }> {
  const consumer = quickConsumer(kafkaFor(broker, `member-${running.length}`), groupId);
  running.push(consumer);
  let latest: number[] = [];
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    latest = [...(e.payload.memberAssignment[topic] ?? [])].sort();
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async () => {} });
  return { consumer, partitions: () => latest };
}

describe('consumer groups', () => {
  it('splits partitions between two members, then gives all to the one that stays', async () => {
    const topic = uniqueName('rebalance');
    const groupId = uniqueName('split');
    await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] });

    const first = await member(groupId, topic);
    await waitFor(() => (first.partitions().length === 4 ? true : undefined));
    const second = await member(groupId, topic);
    await waitFor(() =>
      first.partitions().length === 2 && second.partitions().length === 2 ? true : undefined,
    );
    expect([...first.partitions(), ...second.partitions()].sort()).toEqual([0, 1, 2, 3]);

    const [described] = (await admin.describeGroups([groupId])).groups;
    expect(described?.state).toBe('Stable');
    expect(described?.protocolType).toBe('consumer');
    const assigned = (described?.members ?? []).map((m) => {
      const decoded = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
      return decoded?.assignment[topic]?.length;
    });
    expect(assigned).toEqual([2, 2]);

    await second.consumer.disconnect();
    running.splice(running.indexOf(second.consumer), 1);
    await waitFor(() => (first.partitions().length === 4 ? true : undefined));
    const after = await admin.describeGroups([groupId]);
    expect(after.groups[0]?.members).toHaveLength(1);
  });

  it('commits offsets that admin fetches, sets, resets, lists and deletes', async () => {
    const topic = uniqueName('commits');
    const groupId = uniqueName('ledger');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    await producer.send({ topic, messages: ['a', 'b', 'c', 'd', 'e'].map((value) => ({ value })) });

    const consumer = quickConsumer(kafka, groupId);
    running.push(consumer);
    let seen = 0;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ autoCommitInterval: 50, eachMessage: async () => void seen++ });
    await waitFor(() => (seen === 5 ? true : undefined));
    await consumer.disconnect();
    running.splice(0);

    const committed = async (group: string) =>
      (await admin.fetchOffsets({ groupId: group, topics: [topic] }))[0]?.partitions[0]?.offset;
    expect(await committed(groupId)).toBe('5');
    expect((await admin.listGroups()).groups).toContainEqual({ groupId, protocolType: 'consumer' });
    expect((await admin.describeGroups([groupId])).groups[0]?.state).toBe('Empty');

    // Each of these runs a kafkajs consumer that idles a full maxWaitTime, so run them side by side.
    const fresh = uniqueName('fresh');
    await Promise.all([
      admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '2' }] }),
      admin.resetOffsets({ groupId: fresh, topic, earliest: true }),
    ]);
    expect(await committed(groupId)).toBe('2');
    expect(await committed(fresh)).toBe('-2');
    // Without topics, OffsetFetch answers every partition the group committed.
    const everything = await admin.fetchOffsets({ groupId });
    expect(everything.map((t) => t.topic)).toEqual([topic]);

    await admin.deleteGroups([groupId]);
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain(groupId);
    expect(await committed(groupId)).toBe('-1');
    expect(await committed(fresh)).toBe('-2');
  });
});
