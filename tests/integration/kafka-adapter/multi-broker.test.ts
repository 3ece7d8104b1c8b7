import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApacheKafka, startApacheKafka } from '@/scripts/peers/apache-kafka/index';
import { closeKafkaClients } from '@/server/brokers/kafka/client';
import { KafkaSource } from '@/server/brokers/kafka/kafka-source';
import { createReadyTopics } from '@/tests/support/kafka-topics';
import { type RdkafkaMockCluster, startRdkafkaMockCluster } from '@/tests/support/rdkafka-mock-cluster';
import { clusterConfig, quickConsumer, testKafka, uniqueName, waitFor } from './helpers';

describe("a three-broker cluster (librdkafka's mock): requests reach each partition's leader", () => {
  let cluster: RdkafkaMockCluster;
  let source: KafkaSource;
  let seed = '';
  let topic = '';
  const groupId = uniqueName('spread-group');

  beforeAll(async () => {
    cluster = await startRdkafkaMockCluster({ brokers: 3 });
    // Only one bootstrap address: the adapter must learn the other brokers from metadata.
    seed = cluster.bootstrap.split(',')[0] ?? '';
    source = new KafkaSource(clusterConfig(uniqueName('multi'), seed));
    topic = await topicLedByMoreThanOneBroker(seed);
  });

  afterAll(async () => {
    await closeKafkaClients();
    await cluster?.stop();
  });

  it('produces, reads and measures every partition, whichever broker leads it', async () => {
    const sent = await source.produce(
      topic,
      [0, 1, 2, 3].flatMap((partition) => [0, 1].map((i) => ({ value: `p${partition}-${i}`, partition }))),
    );
    expect(sent.map((s) => `${s.partition}:${s.offset}`)).toEqual([
      '0:0',
      '0:1',
      '1:0',
      '1:1',
      '2:0',
      '2:1',
      '3:0',
      '3:1',
    ]);
    // The point of this test: the partitions are led by more than one broker.
    expect((await leadersOf(seed, topic)).size).toBeGreaterThan(1);
    const offsets = await source.partitionOffsets([topic]);
    expect(offsets.map((o) => [o.partition, o.low, o.high])).toEqual([0, 1, 2, 3].map((p) => [p, '0', '2']));
    for (const partition of [0, 1, 2, 3]) {
      const records = await source.readMessages({ topic, partition, fromOffset: 0 });
      expect(records.map((r) => r.value?.text)).toEqual([`p${partition}-0`, `p${partition}-1`]);
    }
  });

  it("reads a group's commits from its coordinator", async () => {
    const consumer = quickConsumer(testKafka(seed), groupId);
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      let seen = 0;
      await consumer.run({ autoCommit: false, eachMessage: async () => void seen++ });
      await waitFor(() => (seen >= 8 ? true : undefined), 20_000);
      await consumer.commitOffsets([{ topic, partition: 3, offset: '1' }]);
      const lag = await source.groupLag(groupId, [topic]);
      expect(lag.map((l) => [l.partition, l.committed, l.lag])).toEqual([
        [0, null, null],
        [1, null, null],
        [2, null, null],
        [3, '1', 1],
      ]);
    } finally {
      await consumer.disconnect();
    }
  });
});

async function leadersByPartition(seed: string, topic: string): Promise<Map<number, number>> {
  const admin = testKafka(seed).admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return new Map(topics[0]?.partitions.map((p) => [p.partitionId, p.leader]));
  } finally {
    await admin.disconnect();
  }
}

async function commitWithFreshAdmin(
  seed: string,
  groupId: string,
  topic: string,
  partitions: number[],
): Promise<void> {
  const admin = testKafka(seed).admin();
  await admin.connect();
  try {
    await admin.setOffsets({
      groupId,
      topic,
      partitions: partitions.map((partition) => ({ partition, offset: '1' })),
    });
  } finally {
    await admin.disconnect();
  }
}

async function leadersOf(seed: string, topic: string): Promise<Set<number>> {
  return new Set((await leadersByPartition(seed, topic)).values());
}

/**
 * The mock cluster picks each auto-created partition's leader at random, so now and then all four
 * land on one broker. Asking for metadata creates a topic; keep the first one whose leaders differ.
 */
async function topicLedByMoreThanOneBroker(seed: string): Promise<string> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const candidate = uniqueName('spread');
    if ((await leadersOf(seed, candidate)).size > 1) return candidate;
  }
  throw new Error('the mock cluster put every partition of ten topics on one broker');
}

describe('a three-node Apache Kafka (KRaft): leaders spread, one broker stopped and restarted', () => {
  let kafka: ApacheKafka;
  let source: KafkaSource;
  const topic = uniqueName('replicated');
  const partitions = [0, 1, 2, 3, 4, 5];

  beforeAll(async () => {
    kafka = await startApacheKafka({ nodes: 3 });
    await createReadyTopics(kafka.bootstrap, [
      { topic, numPartitions: partitions.length, replicationFactor: 3 },
    ]);
    // One seed address, as a config often has: the adapter learns the others from metadata.
    source = new KafkaSource(clusterConfig(uniqueName('kraft3'), kafka.bootstrap.split(',')[0] ?? ''));
    await source.produce(
      topic,
      partitions.map((partition) => ({ value: `first-${partition}`, partition })),
    );
  }, 120_000);

  afterAll(async () => {
    await closeKafkaClients();
    await kafka?.stop();
  });

  async function readAll(expectedPerPartition: number): Promise<void> {
    const offsets = await source.partitionOffsets([topic]);
    expect(offsets.map((o) => [o.partition, o.low, o.high])).toEqual(
      partitions.map((p) => [p, '0', String(expectedPerPartition)]),
    );
    for (const partition of partitions) {
      const records = await source.readMessages({ topic, partition, fromOffset: 0 });
      expect(records.map((r) => r.value?.text)).toEqual(
        ['first', 'second'].slice(0, expectedPerPartition).map((w) => `${w}-${partition}`),
      );
    }
  }

  it('spreads leadership over all three nodes, and the adapter reaches each leader', async () => {
    expect(await leadersOf(kafka.bootstrap, topic)).toEqual(new Set([1, 2, 3]));
    await readAll(1);
  });

  it('keeps reading and measuring while a leader is down, and after it is back', async () => {
    const groupId = uniqueName('survivor');
    try {
      await kafka.stopNode(2);
      // The controller moves node 2's leaderships to the replicas still in sync.
      await waitFor(
        async () => ((await leadersOf(kafka.bootstrap, topic)).has(2) ? undefined : true),
        30_000,
      );
      await source.produce(
        topic,
        partitions.map((partition) => ({ value: `second-${partition}`, partition })),
      );
      await readAll(2);
      // The group commits while node 2 is down; its coordinator may have been node 2 and moves too.
      // A fresh client per try: a long-lived kafkajs consumer keeps asking the stopped coordinator.
      await waitFor(
        () =>
          commitWithFreshAdmin(kafka.bootstrap, groupId, topic, partitions).then(
            () => true,
            () => undefined,
          ),
        30_000,
      );
      const lag = await waitFor(async () => {
        const rows = await source.groupLag(groupId, [topic]).catch(() => undefined);
        return rows?.every((r) => r.committed === '1') ? rows : undefined;
      }, 20_000);
      expect(lag.map((l) => [l.partition, l.committed, l.high, l.lag])).toEqual(
        partitions.map((p) => [p, '1', '2', 1]),
      );

      await kafka.startNode(2);
      await readAll(2);
      expect((await source.listTopics()).find((t) => t.name === topic)).toEqual({
        name: topic,
        partitions: partitions.length,
        internal: false,
      });
    } finally {
      // Idempotent: a failure above must not leave the next test with a node short.
      await kafka.startNode(2);
    }
  }, 120_000);

  it('reads the whole cluster with one partition offline: that partition is marked, the rest are read', async () => {
    const fragile = uniqueName('unreplicated');
    await createReadyTopics(kafka.bootstrap, [{ topic: fragile, numPartitions: 3, replicationFactor: 1 }]);
    await source.produce(
      fragile,
      [0, 1, 2].map((partition) => ({ value: `v${partition}`, partition })),
    );
    const onNode3 = [...(await leadersByPartition(kafka.bootstrap, fragile))].find(
      ([, leader]) => leader === 3,
    )?.[0];
    expect(onNode3).toBeDefined();
    await kafka.stopNode(3);
    try {
      const state = await waitFor(async () => {
        const s = await source.clusterState();
        const t = s.topics.find((x) => x.name === fragile);
        return t?.partitions.find((p) => p.partition === onNode3)?.leader === -1 ? s : undefined;
      }, 30_000);
      const t = state.topics.find((x) => x.name === fragile);
      expect(t?.error).toBeNull();
      for (const p of t?.partitions ?? []) {
        if (p.partition === onNode3) {
          expect(p).toMatchObject({
            leader: -1,
            low: null,
            high: null,
            error: expect.stringContaining('offline'),
          });
        } else {
          expect(p).toMatchObject({ low: '0', high: '1', stable: '1', error: null });
        }
      }
      // The replicated topic of the other tests is still whole.
      expect(state.topics.find((x) => x.name === topic)?.partitions.every((p) => p.error === null)).toBe(
        true,
      );
      expect(state.brokers.map((b) => b.nodeId)).toEqual([1, 2]);
      // One Metadata and three ListOffsets per live leader.
      expect(state.requests).toBe(1 + 3 * 2);
      // The rest of the adapter keeps working too: listing, and reading a healthy partition of that topic.
      expect((await source.listTopics()).find((x) => x.name === fragile)).toMatchObject({ partitions: 3 });
      const healthy = [0, 1, 2].find((p) => p !== onNode3) ?? 0;
      const [record] = await source.readMessages({ topic: fragile, partition: healthy, fromOffset: 0 });
      expect(record?.value?.text).toBe(`v${healthy}`);
    } finally {
      await kafka.startNode(3);
    }
  }, 90_000);
});
