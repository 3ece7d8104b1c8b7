import type { Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKafkaBroker } from '@/scripts/peers/kafka-broker/index';
import { closeKafkaClients } from '@/server/brokers/kafka/client';
import type { KafkaFleetSnapshot } from '@/server/brokers/kafka/fleet-snapshot';
import { KafkaSource } from '@/server/brokers/kafka/kafka-source';
import {
  APACHE_KAFKA,
  type BrokerUnderTest,
  clusterConfig,
  OUR_BROKER,
  quickConsumer,
  testKafka,
  uniqueName,
  waitFor,
} from './helpers';

describe.each([APACHE_KAFKA, OUR_BROKER])('the fleet snapshot on $label', (kind) => {
  let broker: BrokerUnderTest;
  let source: KafkaSource;
  let consumer: Consumer;
  const topic = uniqueName('fleet-orders');
  const dlq = `${topic}.DLT`;
  const groups = { live: uniqueName('fleet-live'), behind: uniqueName('fleet-behind') };

  beforeAll(async () => {
    broker = await kind.start();
    await broker.createTopic(topic);
    await broker.createTopic(dlq);
    source = new KafkaSource(clusterConfig(uniqueName('fleet'), broker.bootstrap));
    await source.produce(
      topic,
      [0, 1, 2].flatMap((partition) => [1, 2, 3, 4].map((i) => ({ value: `${partition}-${i}`, partition }))),
    );
    await source.produce(dlq, [{ value: 'dead', partition: 0 }]);
    const kafka = testKafka(broker.bootstrap);
    const admin = kafka.admin();
    await admin.connect();
    await admin.setOffsets({ groupId: groups.behind, topic, partitions: [{ partition: 0, offset: '1' }] });
    await admin.disconnect();
    consumer = quickConsumer(kafka, groups.live);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async () => {} });
    await waitFor(async () => {
      const lag = await source.groupLag(groups.live, [topic]);
      return lag.every((l) => l.committed === '4') ? true : undefined;
    }, 30_000);
  }, 60_000);

  afterAll(async () => {
    await consumer?.disconnect();
    await closeKafkaClients();
    await broker?.stop();
  });

  it('reads topics, DLQ topics, groups and their lag in one pass', async () => {
    const snapshot = await source.fleetSnapshot(['*.DLT']);
    const orders = snapshot.topics.find((t) => t.name === topic);
    expect(orders).toMatchObject({ dlq: false, error: null });
    expect(orders?.partitions.map((p) => [p.partition, p.low, p.high, p.error])).toEqual([
      [0, '0', '4', null],
      [1, '0', '4', null],
      [2, '0', '4', null],
    ]);
    expect(snapshot.topics.find((t) => t.name === dlq)).toMatchObject({ dlq: true });

    const live = snapshot.groups.find((g) => g.groupId === groups.live);
    expect(live).toMatchObject({
      protocolType: 'consumer',
      description: { state: 'Stable', groupProtocol: 'classic' },
      summary: { totalLag: 0, partitions: 3 },
      error: null,
      gone: false,
    });
    const behind = snapshot.groups.find((g) => g.groupId === groups.behind);
    expect(behind?.description?.state).toBe('Empty');
    // Every partition of a topic the group reads: "no offset" where it never committed, never zero.
    expect(behind?.lag.map((l) => [l.partition, l.state, l.lag])).toEqual([
      [0, 'ok', 3],
      [1, 'no_offset', null],
      [2, 'no_offset', null],
    ]);
    expect(behind?.summary).toMatchObject({ totalLag: 3, worst: { topic, partition: 0, lag: 3 } });
  });

  it('asks in batches, not per group or per topic', async () => {
    const snapshot: KafkaFleetSnapshot = await source.fleetSnapshot(['*.DLT']);
    const chunks = Math.ceil(snapshot.groups.length / 100);
    const { byApi } = snapshot.requests;
    expect(byApi.Metadata).toBe(1);
    expect(byApi.ListOffsets).toBe(3 * snapshot.brokers.length);
    // One coordinator (one broker): one lookup, one describe, an OffsetFetch per 100 groups, where served.
    expect(byApi.FindCoordinator).toBeLessThanOrEqual(kind === APACHE_KAFKA ? 1 : snapshot.groups.length);
    expect(byApi.DescribeGroups).toBe(1);
    expect(byApi.OffsetFetch).toBeLessThanOrEqual(kind === APACHE_KAFKA ? chunks : snapshot.groups.length);
  });
});

describe('the fleet snapshot on brokers older than Kafka 0.11 (the test broker acting as one)', () => {
  async function snapshotOf(maxListOffsets: number): Promise<KafkaFleetSnapshot> {
    const broker = await startKafkaBroker({ port: 0, maxVersions: { 2: maxListOffsets } });
    try {
      broker.createTopic('old-orders', 2);
      const source = new KafkaSource(clusterConfig(uniqueName('old'), broker.bootstrap));
      await source.produce(
        'old-orders',
        [1, 2, 3].map((i) => ({ value: `${i}`, partition: 0 })),
      );
      return await source.fleetSnapshot([]);
    } finally {
      await closeKafkaClients();
      await broker.stop();
    }
  }

  it('reads ListOffsets v1 (no isolation level, no transactions: the stable offset is the end)', async () => {
    const snapshot = await snapshotOf(1);
    expect(snapshot.topics.find((t) => t.name === 'old-orders')?.partitions).toEqual([
      { partition: 0, leader: 1, low: '0', high: '3', stable: '3', error: null },
      { partition: 1, leader: 1, low: '0', high: '0', stable: '0', error: null },
    ]);
    expect(snapshot.requests.byApi.ListOffsets).toBe(3);
  });

  it('marks the partitions of a leader serving only ListOffsets v0, and reads the rest', async () => {
    const snapshot = await snapshotOf(0);
    expect(snapshot.topics.find((t) => t.name === 'old-orders')?.partitions).toEqual(
      [0, 1].map((partition) => ({
        partition,
        leader: 1,
        low: null,
        high: null,
        stable: null,
        error: 'broker 1 serves no ListOffsets v1-v3',
      })),
    );
    expect(snapshot.brokers).toHaveLength(1);
  });
});
