import { Kafka, logLevel } from 'kafkajs';
import { mapLimit } from '@/lib/concurrency';
import { type KafkaTestBroker, startKafkaBroker } from '@/scripts/peers/kafka-broker/index';
import type { KafkaConnectionConfig } from '@/server/brokers/kafka/client';
import { KafkaSource } from '@/server/brokers/kafka/kafka-source';
import { createWireCluster } from '@/server/brokers/kafka/wire';
import { defineScenario } from '../lib/scenario';

/*
 * One full lag snapshot of a large fleet on the in-repo test broker: 2,000 consumer groups over 500
 * topics with 20,000 partitions. The product takes it in batched requests (fleet-snapshot.ts); the
 * baseline is what a kafkajs user writes: fetchTopicOffsets per topic and fetchOffsets per group.
 */

const TOPICS = 500;
const PARTITIONS_PER_TOPIC = 40;
const GROUPS = 2_000;

interface Context {
  bootstrap: string;
}

/** What a snapshot found; both paths must agree. */
interface Outcome {
  groups: number;
  committedPartitions: number;
  totalLag: number;
}

const topicName = (t: number) => `bench.orders-${String(t).padStart(3, '0')}`;

function kafkaFor(bootstrap: string): Kafka {
  return new Kafka({
    clientId: 'bench',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    requestTimeout: 30_000,
  });
}

/** Group g commits on one topic (g mod 500), every partition, a few records behind on some. */
async function seed(broker: KafkaTestBroker): Promise<Outcome> {
  for (let t = 0; t < TOPICS; t++) broker.createTopic(topicName(t), PARTITIONS_PER_TOPIC);
  const kafka = kafkaFor(broker.bootstrap);
  const producer = kafka.producer();
  await producer.connect();
  for (let t = 0; t < TOPICS; t += 25) {
    await producer.sendBatch({
      topicMessages: Array.from({ length: 25 }, (_, i) => ({
        topic: topicName(t + i),
        messages: Array.from({ length: PARTITIONS_PER_TOPIC }, (_, partition) => ({
          partition,
          value: 'x'.repeat(10),
        })).flatMap((m) => [m, m, m, m, m]),
      })),
    });
  }
  await producer.disconnect();
  // Committed from outside the groups (generation -1), as Kafka's admin tools alter offsets.
  const wire = createWireCluster(kafka);
  await wire.connect();
  let totalLag = 0;
  try {
    await mapLimit(
      Array.from({ length: GROUPS }, (_, g) => g),
      16,
      async (g) => {
        const groupId = `bench-group-${String(g).padStart(4, '0')}`;
        const partitions = Array.from({ length: PARTITIONS_PER_TOPIC }, (_, partition) => {
          const offset = (g + partition) % 6; // 0..5 of the 5 records: 5 means caught up
          totalLag += Math.max(0, 5 - offset);
          return { partition, offset: String(offset) };
        });
        const coordinator = (await wire.findGroupCoordinator({ groupId })) as unknown as {
          offsetCommit(req: unknown): Promise<unknown>;
        };
        await coordinator.offsetCommit({
          groupId,
          groupGenerationId: -1,
          memberId: '',
          topics: [{ topic: topicName(g % TOPICS), partitions }],
        });
      },
    );
  } finally {
    await wire.disconnect();
  }
  return { groups: GROUPS, committedPartitions: GROUPS * PARTITIONS_PER_TOPIC, totalLag };
}

function config(bootstrap: string): KafkaConnectionConfig {
  return { name: 'bench', brokers: [bootstrap], clientId: 'tidewatch-bench' };
}

export const scenario = defineScenario<Context>({
  description: `one lag snapshot of ${GROUPS.toLocaleString('en-US')} groups over ${TOPICS} topics (${(TOPICS * PARTITIONS_PER_TOPIC).toLocaleString('en-US')} partitions) on the in-repo test broker`,
  runs: 3,
  counters: { requests: 'Kafka requests' },
  async setup() {
    const broker = await startKafkaBroker({ port: 0 });
    try {
      const expected = await seed(broker);
      return {
        context: { bootstrap: broker.bootstrap },
        settings: {
          peer: 'in-repo test broker',
          groups: GROUPS,
          topics: TOPICS,
          partitions: TOPICS * PARTITIONS_PER_TOPIC,
          committedPartitions: expected.committedPartitions,
          totalLag: expected.totalLag,
        },
        teardown: () => broker.stop(),
      };
    } catch (err) {
      await broker.stop();
      throw err;
    }
  },
  headline(rows, settings) {
    const figure = (what: string) => rows.find((r) => r.what === what);
    return {
      groups: settings.groups,
      partitions: settings.partitions,
      snapshot_ms: Math.round(figure('wall time (ms)')?.product ?? Number.NaN),
      requests: figure('Kafka requests')?.product,
      peak_rss_mb: Math.round(figure('peak RSS (MiB)')?.product ?? Number.NaN),
      baseline_ms: Math.round(figure('wall time (ms)')?.baseline ?? Number.NaN),
      baseline_requests: figure('Kafka requests')?.baseline,
    };
  },
  product: {
    label: 'KafkaSource.fleetSnapshot (batched FindCoordinator, DescribeGroups, OffsetFetch v8)',
    async run({ bootstrap }) {
      const source = new KafkaSource(config(bootstrap), { deadlineMs: 120_000 });
      const snapshot = await source.fleetSnapshot([]);
      const groups = snapshot.groups.filter((g) => g.groupId.startsWith('bench-group-'));
      const outcome: Outcome = {
        groups: groups.length,
        committedPartitions: groups.reduce((n, g) => n + g.lag.filter((l) => l.committed !== null).length, 0),
        totalLag: groups.reduce((n, g) => n + g.summary.totalLag, 0),
      };
      return { counters: { requests: snapshot.requests.total }, outcome };
    },
  },
  baseline: {
    label: 'kafkajs admin: listGroups, fetchTopicOffsets per topic, fetchOffsets per group',
    async run({ bootstrap }) {
      const admin = kafkaFor(bootstrap).admin();
      let requests = 0;
      admin.on(admin.events.REQUEST, () => {
        requests++;
      });
      await admin.connect();
      try {
        const { groups } = await admin.listGroups();
        const ids = groups.map((g) => g.groupId).filter((id) => id.startsWith('bench-group-'));
        const ends = new Map<string, Map<number, bigint>>();
        for (const topic of (await admin.listTopics()).filter((t) => t.startsWith('bench.'))) {
          const offsets = await admin.fetchTopicOffsets(topic);
          ends.set(topic, new Map(offsets.map((o) => [o.partition, BigInt(o.high)])));
        }
        let committedPartitions = 0;
        let totalLag = 0;
        for (const groupId of ids) {
          for (const t of await admin.fetchOffsets({ groupId })) {
            for (const p of t.partitions) {
              if (Number(p.offset) < 0) continue;
              committedPartitions++;
              const lag = Number((ends.get(t.topic)?.get(p.partition) ?? 0n) - BigInt(p.offset));
              totalLag += Math.max(0, lag);
            }
          }
        }
        return { counters: { requests }, outcome: { groups: ids.length, committedPartitions, totalLag } };
      } finally {
        await admin.disconnect();
      }
    },
  },
});
