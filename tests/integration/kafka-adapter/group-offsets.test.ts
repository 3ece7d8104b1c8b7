import type { Admin, Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApacheKafka, startApacheKafka } from '@/scripts/peers/apache-kafka/index';
import { type KafkaTestBroker, startKafkaBroker } from '@/scripts/peers/kafka-broker/index';
import { closeKafkaClients, getKafkaClient } from '@/server/brokers/kafka/client';
import {
  fetchGroupOffsets,
  findCoordinators,
  type GroupOffsetsResult,
  requestStats,
} from '@/server/brokers/kafka/group-offsets';
import type { CommittedOffset } from '@/server/brokers/kafka/types';
import { createWireCluster } from '@/server/brokers/kafka/wire';
import { createReadyTopics } from '@/tests/support/kafka-topics';
import { type RdkafkaMockCluster, startRdkafkaMockCluster } from '@/tests/support/rdkafka-mock-cluster';
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

afterAll(() => closeKafkaClients());

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

interface OffsetCommitter {
  offsetCommit(req: {
    groupId: string;
    groupGenerationId: number;
    memberId: string;
    topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
  }): Promise<unknown>;
}

/**
 * Offsets-only groups (no members): each commits on topic a, topic b or both, at offsets of its own.
 * Committed from outside the group (generation -1, no member), as Kafka's own admin client alters
 * offsets; kafkajs's admin.setOffsets instead joins the group with a consumer, seconds per group.
 */
async function offsetsOnlyGroups(bootstrap: string, [a, b]: string[], count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => uniqueName('fleet-group'));
  const wire = createWireCluster(testKafka(bootstrap));
  await wire.connect();
  try {
    await inBatches(ids, 16, async (groupId) => {
      const i = ids.indexOf(groupId);
      const topics = [
        ...(i % 3 !== 1
          ? [{ topic: a ?? '', partitions: [{ partition: i % 3, offset: String(i + 1) }] }]
          : []),
        ...(i % 3 !== 0
          ? [{ topic: b ?? '', partitions: [{ partition: 2, offset: String(1000 + i) }] }]
          : []),
      ];
      // A new cluster is still placing and loading __consumer_offsets: retry what kafkajs calls retriable.
      await waitFor(async () => {
        try {
          const coordinator = (await wire.findGroupCoordinator({ groupId })) as unknown as OffsetCommitter;
          await coordinator.offsetCommit({ groupId, groupGenerationId: -1, memberId: '', topics });
          return true;
        } catch (err) {
          if ((err as { retriable?: boolean }).retriable) return undefined;
          throw err;
        }
      }, 30_000);
    });
  } finally {
    await wire.disconnect();
  }
  return ids;
}

/** kafkajs's own per-group answer: without topics it asks (OffsetFetch v3+) for every topic. */
async function kafkajsAnswer(admin: Admin, groupId: string): Promise<GroupOffsetsResult> {
  const topics = await admin.fetchOffsets({ groupId });
  const offsets: CommittedOffset[] = topics.flatMap(({ topic, partitions }) =>
    partitions.map((p) => ({ topic, partition: p.partition, offset: p.offset === '-1' ? null : p.offset })),
  );
  offsets.sort((x, y) => x.topic.localeCompare(y.topic) || x.partition - y.partition);
  return { ok: true, offsets };
}

async function kafkajsAnswers(admin: Admin, ids: string[]): Promise<Map<string, GroupOffsetsResult>> {
  return new Map(await Promise.all(ids.map(async (id) => [id, await kafkajsAnswer(admin, id)] as const)));
}

/** The adapter's own client, as the fleet snapshot uses it; "a:1,b:2" lists several brokers. */
const wireFor = (bootstrap: string) =>
  getKafkaClient({ ...clusterConfig(uniqueName('fleet'), bootstrap), brokers: bootstrap.split(',') }).wire();

/** A kafkajs consumer group that reads, and commits, one record on each partition of `topic`. */
async function liveGroup(bootstrap: string, groupId: string, topic: string, partitions: number) {
  const kafka = testKafka(bootstrap);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: Array.from({ length: partitions }, (_, partition) => ({ value: 'x', partition })),
  });
  await producer.disconnect();
  const consumer = quickConsumer(kafka, groupId);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async () => {} });
  return consumer;
}

describe.each([APACHE_KAFKA, OUR_BROKER])('committed offsets of many groups on $label', (kind) => {
  let broker: BrokerUnderTest;
  let admin: Admin;
  let consumer: Consumer;
  const topics = [uniqueName('fleet-a'), uniqueName('fleet-b')];
  const liveId = uniqueName('live-group');
  let ids: string[] = [];

  beforeAll(async () => {
    broker = await kind.start();
    const [partitions] = await Promise.all(topics.map((t) => broker.createTopic(t)));
    admin = testKafka(broker.bootstrap).admin();
    await admin.connect();
    consumer = await liveGroup(broker.bootstrap, liveId, topics[0] ?? '', partitions ?? 0);
    const offsetsOnly = await offsetsOnlyGroups(broker.bootstrap, topics, 150);
    ids = [...offsetsOnly, liveId, uniqueName('never-existed')];
    await waitFor(async () => {
      const live = await kafkajsAnswer(admin, liveId);
      return live.ok && live.offsets.length === partitions ? true : undefined;
    }, 20_000);
  }, 90_000);

  afterAll(async () => {
    await consumer?.disconnect();
    await admin?.disconnect();
    await broker?.stop();
  });

  it('answers each group as kafkajs does per group, in 1 FindCoordinator and 2 OffsetFetch', async () => {
    const stats = requestStats();
    const answers = await fetchGroupOffsets(await wireFor(broker.bootstrap), ids, stats);
    const expected = await kafkajsAnswers(admin, ids);
    expect(Object.fromEntries(answers)).toEqual(Object.fromEntries(expected));
    expect(stats).toEqual({ requests: 3, byApi: { FindCoordinator: 1, OffsetFetch: 2 } });
    // The comparison is not empty against empty: commits on both topics, the live group, and no group.
    expect(expected.get(ids[2] ?? '')).toMatchObject({ ok: true, offsets: [{}, {}] });
    expect(expected.get(liveId)).toMatchObject({ ok: true, offsets: [{}, {}, {}] });
    expect(answers.get(ids.at(-1) ?? '')).toEqual({ ok: true, offsets: [] });
  });
});

describe('the test broker: chunks, per-group errors and the per-group fallback', () => {
  let broker: KafkaTestBroker;
  let admin: Admin;
  const topics = [uniqueName('chunk-a'), uniqueName('chunk-b')];

  beforeAll(async () => {
    broker = await startKafkaBroker({ port: 0 });
    for (const t of topics) broker.createTopic(t, 3);
    admin = testKafka(broker.bootstrap).admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect();
    await broker?.stop();
  });

  it('sends 250 groups on one coordinator as 3 OffsetFetch requests', async () => {
    const ids = await offsetsOnlyGroups(broker.bootstrap, topics, 250);
    const stats = requestStats();
    const answers = await fetchGroupOffsets(await wireFor(broker.bootstrap), ids, stats);
    expect(Object.fromEntries(answers)).toEqual(Object.fromEntries(await kafkajsAnswers(admin, ids)));
    expect(stats.byApi).toEqual({ FindCoordinator: 1, OffsetFetch: 3 });
  });

  it('reuses coordinators already found: a snapshot that also describes groups looks them up once', async () => {
    const ids = await offsetsOnlyGroups(broker.bootstrap, topics, 5);
    const wire = await wireFor(broker.bootstrap);
    const stats = requestStats();
    const known = await findCoordinators(wire, ids, stats);
    const answers = await fetchGroupOffsets(wire, ids, stats, known);
    expect(Object.fromEntries(answers)).toEqual(Object.fromEntries(await kafkajsAnswers(admin, ids)));
    expect(stats.byApi).toEqual({ FindCoordinator: 1, OffsetFetch: 1 });
  });

  it('marks only the failing groups, and asks a moved group again once', async () => {
    const [moved, stuck, denied, loading, unplaced, fine] = await offsetsOnlyGroups(
      broker.bootstrap,
      topics,
      6,
    );
    broker.failGroupRequests('OffsetFetch', moved ?? '', 16);
    broker.failGroupRequests('OffsetFetch', stuck ?? '', 16, 2);
    broker.failGroupRequests('OffsetFetch', denied ?? '', 30);
    broker.failGroupRequests('OffsetFetch', loading ?? '', 14);
    broker.failGroupRequests('FindCoordinator', unplaced ?? '', 15);
    const ids = [moved, stuck, denied, loading, unplaced, fine].map((id) => id ?? '');
    const stats = requestStats();
    const answers = await fetchGroupOffsets(await wireFor(broker.bootstrap), ids, stats);
    const codes = ids.map((id) => {
      const answer = answers.get(id);
      return answer?.ok ? 'ok' : answer?.error.code;
    });
    expect(codes).toEqual([
      'ok',
      'NOT_COORDINATOR_FOR_GROUP',
      'GROUP_AUTHORIZATION_FAILED',
      'GROUP_LOAD_IN_PROGRESS',
      'GROUP_COORDINATOR_NOT_AVAILABLE',
      'ok',
    ]);
    expect(answers.get(ids[0] ?? '')).toEqual(await kafkajsAnswer(admin, ids[0] ?? ''));
    // The second round is for the two NOT_COORDINATOR groups only.
    expect(stats.byApi).toEqual({ FindCoordinator: 2, OffsetFetch: 2 });
  });

  it('reports a key FindCoordinator cannot place on its own', async () => {
    const [placed, unplaced] = [uniqueName('placed'), uniqueName('unplaced')];
    broker.failGroupRequests('FindCoordinator', unplaced, 15);
    const found = await findCoordinators(await wireFor(broker.bootstrap), [placed, unplaced, placed]);
    expect(Object.fromEntries(found)).toEqual({
      [placed]: { ok: true, nodeId: 1 },
      [unplaced]: {
        ok: false,
        error: { code: 'GROUP_COORDINATOR_NOT_AVAILABLE', message: expect.any(String) },
      },
    });
  });

  it('uses one kafkajs request per group where the broker is older than Kafka 3.0', async () => {
    // Kafka 2.8's maxima: OffsetFetch v7, FindCoordinator v3. Same groups, same store.
    const old = await startKafkaBroker({ port: 0, maxVersions: { 9: 7, 10: 3 } });
    try {
      for (const t of topics) old.createTopic(t, 3);
      const oldAdmin = testKafka(old.bootstrap).admin();
      await oldAdmin.connect();
      const ids = [...(await offsetsOnlyGroups(old.bootstrap, topics, 30)), uniqueName('never-existed')];
      const stats = requestStats();
      const answers = await fetchGroupOffsets(await wireFor(old.bootstrap), ids, stats);
      expect(Object.fromEntries(answers)).toEqual(Object.fromEntries(await kafkajsAnswers(oldAdmin, ids)));
      expect(answers.get(ids[2] ?? '')).toMatchObject({ ok: true, offsets: [{}, {}] });
      expect(stats.byApi).toEqual({ FindCoordinator: ids.length, OffsetFetch: ids.length });
      await oldAdmin.disconnect();
    } finally {
      await old.stop();
    }
  });
});

describe("librdkafka's mock cluster (3 brokers): no batched APIs, so one request per group", () => {
  let cluster: RdkafkaMockCluster;
  let admin: Admin;
  const topics = [uniqueName('mock-a'), uniqueName('mock-b')];
  let ids: string[] = [];

  beforeAll(async () => {
    cluster = await startRdkafkaMockCluster({ brokers: 3 });
    admin = testKafka(cluster.bootstrap).admin();
    await admin.connect();
    // Asking for the topics creates them (4 partitions): the mock has no CreateTopics.
    await admin.fetchTopicMetadata({ topics });
    ids = await offsetsOnlyGroups(cluster.bootstrap, topics, 30);
  }, 60_000);

  afterAll(async () => {
    await admin?.disconnect();
    await cluster?.stop();
  });

  it('answers as kafkajs does, from coordinators on more than one broker', async () => {
    const wire = await wireFor(cluster.bootstrap);
    const stats = requestStats();
    const answers = await fetchGroupOffsets(wire, ids, stats);
    expect(Object.fromEntries(answers)).toEqual(Object.fromEntries(await kafkajsAnswers(admin, ids)));
    expect(stats.byApi).toEqual({ FindCoordinator: ids.length, OffsetFetch: ids.length });
    const nodes = new Set([...(await findCoordinators(wire, ids))].map(([, c]) => (c.ok ? c.nodeId : -1)));
    expect(nodes.size).toBeGreaterThan(1);
    expect(nodes.has(-1)).toBe(false);
    // The mock answers "every topic" (topics null) with no topics, to kafkajs as to us, although the
    // commits are there when named: the fallback's answers are checked on the test broker above.
    expect(answers.get(ids[0] ?? '')).toEqual({ ok: true, offsets: [] });
    const named = await admin.fetchOffsets({ groupId: ids[0] ?? '', topics: [topics[0] ?? ''] });
    expect(named[0]?.partitions.find((p) => p.partition === 0)?.offset).toBe('1');
  });
});

describe('a three-node Apache Kafka with six __consumer_offsets partitions', () => {
  let kafka: ApacheKafka;
  let admin: Admin;
  const topics = [uniqueName('spread-a'), uniqueName('spread-b')];
  let ids: string[] = [];

  beforeAll(async () => {
    kafka = await startApacheKafka({ nodes: 3, properties: { 'offsets.topic.num.partitions': 6 } });
    await createReadyTopics(
      kafka.bootstrap,
      topics.map((topic) => ({ topic, numPartitions: 3 })),
    );
    admin = testKafka(kafka.bootstrap).admin();
    await admin.connect();
    ids = await offsetsOnlyGroups(kafka.bootstrap, topics, 60);
  }, 180_000);

  afterAll(async () => {
    await admin?.disconnect();
    await kafka?.stop();
  });

  it('sends one OffsetFetch to each coordinator, after one FindCoordinator', async () => {
    const wire = await wireFor(kafka.bootstrap);
    const coordinators = new Set(
      [...(await findCoordinators(wire, ids))].map(([, c]) => (c.ok ? c.nodeId : -1)),
    );
    expect(coordinators.size).toBeGreaterThan(1);
    expect(coordinators.has(-1)).toBe(false);
    const stats = requestStats();
    const answers = await fetchGroupOffsets(wire, ids, stats);
    expect(Object.fromEntries(answers)).toEqual(Object.fromEntries(await kafkajsAnswers(admin, ids)));
    expect(stats.byApi).toEqual({ FindCoordinator: 1, OffsetFetch: coordinators.size });
  });
});
