import type { Admin, KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetsPartitionFor } from '@/scripts/peers/kafka-broker/consumer-offsets';
import type { KafkaTestBroker } from '@/scripts/peers/kafka-broker/index';
import { kafkaFor, quickConsumer, startTestBroker, uniqueName, waitFor } from './helpers';

let broker: KafkaTestBroker;
let admin: Admin;

beforeAll(async () => {
  broker = await startTestBroker();
  admin = kafkaFor(broker).admin();
  await admin.connect();
});

afterAll(async () => {
  await admin.disconnect();
  await broker.stop();
});

/** Reads a Kafka string (int16 length + UTF-8) at `at`; returns the value and the next position. */
function readString(buf: Buffer, at: number): [string, number] {
  const len = buf.readInt16BE(at);
  return [buf.toString('utf8', at + 2, at + 2 + len), at + 2 + len];
}

function decodeKey(key: Buffer) {
  const version = key.readInt16BE(0);
  const [group, afterGroup] = readString(key, 2);
  const [topic, afterTopic] = readString(key, afterGroup);
  return { version, group, topic, partition: key.readInt32BE(afterTopic) };
}

function decodeValue(value: Buffer) {
  const version = value.readInt16BE(0);
  const offset = value.readBigInt64BE(2);
  const leaderEpoch = value.readInt32BE(10);
  const [metadata, at] = readString(value, 14);
  return {
    version,
    offset,
    leaderEpoch,
    metadata,
    commitTimestamp: Number(value.readBigInt64BE(at)),
    end: at + 8,
  };
}

describe('__consumer_offsets', () => {
  it('places groups the way Kafka does: abs(String.hashCode) % 50', () => {
    // Known Java hashes: "hello" is 99162322; "polygenelubricants" is Integer.MIN_VALUE.
    expect(offsetsPartitionFor('hello')).toBe(99162322 % 50);
    expect(offsetsPartitionFor('polygenelubricants')).toBe(0);
  });

  it('holds every commit in Kafka binary format, and a tombstone once the group is deleted', async () => {
    const topic = uniqueName('audited');
    const groupId = 'hello';
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    const producer = kafkaFor(broker).producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: '1' }, { value: '2' }, { value: '3' }] });
    // Clients may read the internal topic but not write it.
    await expect(
      producer.send({ topic: '__consumer_offsets', messages: [{ value: 'forged' }] }),
    ).rejects.toThrow(/internal|invalid/i);
    await producer.disconnect();

    const before = Date.now();
    const group = quickConsumer(kafkaFor(broker), groupId);
    let seen = 0;
    await group.connect();
    await group.subscribe({ topic, fromBeginning: true });
    await group.run({ autoCommitInterval: 20, eachMessage: async () => void seen++ });
    await waitFor(() => (seen === 3 ? true : undefined));
    await group.disconnect();
    await admin.deleteGroups([groupId]);

    const reader = quickConsumer(kafkaFor(broker), uniqueName('offsets-reader'));
    const records: { partition: number; message: KafkaMessage }[] = [];
    await reader.connect();
    await reader.subscribe({ topic: '__consumer_offsets', fromBeginning: true });
    await reader.run({
      eachMessage: async ({ partition, message }) => void records.push({ partition, message }),
    });
    const ours = await waitFor(() => {
      const mine = records.filter((r) => r.message.key && decodeKey(r.message.key).topic === topic);
      return mine.some((r) => r.message.value === null) ? mine : undefined;
    });
    await reader.disconnect();

    expect(new Set(ours.map((r) => r.partition))).toEqual(new Set([22]));
    const commits = ours.filter((r) => r.message.value !== null);
    expect(commits.length).toBeGreaterThan(0);
    for (const { message } of ours) {
      expect(decodeKey(message.key ?? Buffer.alloc(0))).toEqual({
        version: 1,
        group: groupId,
        topic,
        partition: 0,
      });
    }
    const last = decodeValue(commits.at(-1)?.message.value ?? Buffer.alloc(0));
    expect(last.version).toBe(3);
    expect(last.offset).toBe(3n);
    expect(last.leaderEpoch).toBe(-1);
    expect(last.commitTimestamp).toBeGreaterThanOrEqual(before - 1000);
    expect(last.end).toBe(commits.at(-1)?.message.value?.length);
    // The tombstone comes after the last commit.
    expect(ours.at(-1)?.message.value).toBeNull();
  });
});
