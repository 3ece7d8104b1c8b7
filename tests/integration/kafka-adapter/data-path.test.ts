import { type Consumer, type Kafka, Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeKafkaClients } from '@/server/brokers/kafka/client';
import { KafkaSource } from '@/server/brokers/kafka/kafka-source';
import type {
  KafkaRecord,
  MessageBytes,
  OutgoingMessage,
  ProducedOffset,
} from '@/server/brokers/kafka/types';
import {
  APACHE_KAFKA,
  type BrokerUnderTest,
  binaryBytes,
  clusterConfig,
  OUR_BROKER,
  quickConsumer,
  RDKAFKA_MOCK,
  testKafka,
  uniqueName,
  waitFor,
} from './helpers';

const html = '<script>alert("x")</script><b>Grüße — 注文</b>';
const bigValue = Buffer.from('0123456789abcdef'.repeat((900 * 1024) / 16));
const binaryValue = binaryBytes(300);
const binaryHeader = Buffer.from([0x00, 0xc3, 0x28, 0xff]);

/** Six messages on partition 0, covering the awkward cases, then three on partition 1. */
const explicit: OutgoingMessage[] = [
  {
    key: 'order-1',
    value: '{"type":"OrderPlaced","orderId":"o-1"}',
    headers: [
      { key: 'correlationId', value: 'c-1' },
      { key: 'dup', value: 'first' },
      { key: 'dup', value: 'second' },
    ],
    partition: 0,
  },
  { key: 'order-2', value: binaryValue, headers: [{ key: 'raw', value: binaryHeader }], partition: 0 },
  { key: null, value: html, partition: 0 },
  { key: 'big', value: bigValue, partition: 0 },
  { key: 'order-5', value: null, partition: 0 },
  { key: Buffer.from([0xfe, 0x01]), value: '', partition: 0 },
  { key: 'p1-a', value: 'a', partition: 1 },
  { key: 'p1-b', value: 'b', partition: 1 },
  { key: 'p1-c', value: 'c', partition: 1 },
];

const keyed: OutgoingMessage[] = ['alpha', 'bravo', 'charlie', 'delta'].map((k) => ({
  key: k,
  value: `v-${k}`,
}));

/** What was sent, as base64 and size: a cheap exact comparison (deep-equal on a 900 KB Buffer is slow). */
function sent(v: Buffer | string | null | undefined): Pick<MessageBytes, 'base64' | 'size'> | null {
  if (v === null || v === undefined) return null;
  const bytes = typeof v === 'string' ? Buffer.from(v) : v;
  return { base64: bytes.toString('base64'), size: bytes.length };
}

function received(b: MessageBytes | null): Pick<MessageBytes, 'base64' | 'size'> | null {
  return b === null ? null : { base64: b.base64, size: b.size };
}

describe.each([APACHE_KAFKA, OUR_BROKER, RDKAFKA_MOCK])('Kafka adapter data path on $label', (kind) => {
  let broker: BrokerUnderTest;
  let source: KafkaSource;
  let kafka: Kafka;
  let consumer: Consumer | undefined;
  let partitions = 0;
  let produced: ProducedOffset[] = [];
  let producedKeyed: ProducedOffset[] = [];
  const topic = uniqueName('orders');
  const groupId = uniqueName('billing');

  beforeAll(async () => {
    broker = await kind.start();
    kafka = testKafka(broker.bootstrap);
    source = new KafkaSource(clusterConfig(uniqueName('cluster'), broker.bootstrap));
    partitions = await broker.createTopic(topic);
    produced = await source.produce(topic, explicit);
    producedKeyed = await source.produce(topic, keyed);
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await closeKafkaClients();
    await broker?.stop();
  });

  it('reports where every produced message landed, in input order', () => {
    expect(produced).toEqual([
      ...[0, 1, 2, 3, 4, 5].map((o) => ({ partition: 0, offset: String(o) })),
      ...[0, 1, 2].map((o) => ({ partition: 1, offset: String(o) })),
    ]);
    // Unpartitioned keyed messages go where Kafka's default (murmur2) partitioner puts them.
    const partitionMetadata = [...Array(partitions).keys()].map((partitionId) => ({
      partitionErrorCode: 0,
      partitionId,
      leader: 1,
      replicas: [1],
      isr: [1],
    }));
    const partitioner = Partitioners.DefaultPartitioner();
    expect(producedKeyed.map((p) => p.partition)).toEqual(
      keyed.map((message) =>
        partitioner({ topic, partitionMetadata, message: { key: message.key, value: '' } }),
      ),
    );
    expect(new Set(producedKeyed.map((p) => p.partition)).size).toBeGreaterThan(1);
  });

  it('reads records back byte-exact, binary and HTML included', async () => {
    const records = await source.readMessages({ topic, partition: 0, fromOffset: 0, limit: 6 });
    expect(records.map((r) => r.offset)).toEqual(['0', '1', '2', '3', '4', '5']);
    explicit.slice(0, 6).forEach((message, i) => {
      const got = records[i] as KafkaRecord;
      expect(received(got.key)).toEqual(sent(message.key));
      expect(received(got.value)).toEqual(sent(message.value));
      expect(got.timestamp).toBeGreaterThan(Date.now() - 120_000);
    });
    const [json, binary, markup, big, tombstone, empty] = records;
    expect(json?.value?.text).toBe('{"type":"OrderPlaced","orderId":"o-1"}');
    expect(json?.headers.map((h) => [h.key, h.value?.text])).toEqual([
      ['correlationId', 'c-1'],
      ['dup', 'first'],
      ['dup', 'second'],
    ]);
    expect(binary?.value).toMatchObject({ text: null, size: 300 });
    expect(binary?.headers).toEqual([
      { key: 'raw', value: { text: null, base64: binaryHeader.toString('base64'), size: 4 } },
    ]);
    expect(markup?.key).toBeNull();
    expect(markup?.value?.text).toBe(html);
    expect(big?.value?.size).toBe(900 * 1024);
    expect(big?.value?.text).toBe(bigValue.toString());
    expect(tombstone?.value).toBeNull();
    expect(empty?.value).toEqual({ text: '', base64: '', size: 0 });
    expect(empty?.key?.text).toBeNull();
  });

  it('starts at the given offset and stops at the limit', async () => {
    const records = await source.readMessages({ topic, partition: 0, fromOffset: '1', limit: 2 });
    expect(records.map((r) => r.offset)).toEqual(['1', '2']);
    const tail = await source.readMessages({ topic, partition: 1, fromOffset: 2, limit: 10 });
    const keyedOnP1 = keyed.filter((_, i) => producedKeyed[i]?.partition === 1).map((m) => m.key);
    expect(tail.map((r) => r.key?.text)).toEqual(['p1-c', ...keyedOnP1]);
  });

  it('stops at the byte budget but always returns the first record', async () => {
    const small = await source.readMessages({ topic, partition: 0, fromOffset: 0, maxBytes: 4096 });
    expect(small.map((r) => r.offset)).toEqual(['0', '1', '2']);
    const bigOnly = await source.readMessages({ topic, partition: 0, fromOffset: 3, maxBytes: 1024 });
    expect(bigOnly.map((r) => r.offset)).toEqual(['3']);
  });

  it('finds keyed messages where produce said they went', async () => {
    for (const [i, where] of producedKeyed.entries()) {
      const [record] = await source.readMessages({
        topic,
        partition: where.partition,
        fromOffset: where.offset,
        limit: 1,
      });
      expect(record?.key?.text).toBe(keyed[i]?.key);
    }
  });

  it('answers the earliest and log end offset of every partition', async () => {
    const offsets = await source.partitionOffsets([topic]);
    expect(offsets.map((o) => o.partition)).toEqual([...Array(partitions).keys()]);
    for (const o of offsets) {
      const count = [...produced, ...producedKeyed].filter((p) => p.partition === o.partition).length;
      expect(o).toEqual({
        topic,
        partition: o.partition,
        low: '0',
        high: String(count),
        stable: String(count),
      });
    }
  });

  it('lists the topic with its partition count', async () => {
    const topics = await source.listTopics();
    expect(topics).toContainEqual({ name: topic, partitions, internal: false });
  });

  it("reads a real group's commits and lag; no commit is null, not zero", async () => {
    consumer = quickConsumer(kafka, groupId);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let seen = 0;
    await consumer.run({ autoCommit: false, eachMessage: async () => void seen++ });
    const total = explicit.length + keyed.length;
    await waitFor(() => (seen >= total ? true : undefined), 20_000);
    // Part-way: partition 0 up to offset 2, partition 1 up to 1, nothing elsewhere.
    await consumer.commitOffsets([
      { topic, partition: 0, offset: '2' },
      { topic, partition: 1, offset: '1' },
    ]);

    const committed = await source.committedOffsets(groupId, [topic]);
    expect(committed).toEqual(
      [...Array(partitions).keys()].map((partition) => ({
        topic,
        partition,
        offset: partition === 0 ? '2' : partition === 1 ? '1' : null,
      })),
    );

    const highs = new Map((await source.partitionOffsets([topic])).map((o) => [o.partition, Number(o.high)]));
    const lag = await source.groupLag(groupId, [topic]);
    expect(lag.map((l) => [l.partition, l.committed, l.lag])).toEqual(
      [...Array(partitions).keys()].map((p) => {
        const high = highs.get(p) ?? -1;
        if (p === 0) return [0, '2', high - 2];
        if (p === 1) return [1, '1', high - 1];
        return [p, null, null];
      }),
    );
    expect(lag.every((l) => l.high === String(highs.get(l.partition)))).toBe(true);
  });

  it("leaves the group's committed offsets untouched when reading", async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const before = await admin.fetchOffsets({ groupId, topics: [topic] });
      for (let partition = 0; partition < partitions; partition++) {
        await source.readMessages({ topic, partition, fromOffset: 0, limit: 100 });
      }
      expect(await admin.fetchOffsets({ groupId, topics: [topic] })).toEqual(before);
      expect(before[0]?.partitions.find((p) => p.partition === 0)?.offset).toBe('2');
    } finally {
      await admin.disconnect();
    }
  });
});
