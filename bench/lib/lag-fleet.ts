import { setTimeout } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { mapLimit } from '@/lib/concurrency';
import type { KafkaConnectionConfig } from '@/server/brokers/kafka/client';
import { KafkaSource } from '@/server/brokers/kafka/kafka-source';
import { createWireCluster, type WireCluster } from '@/server/brokers/kafka/wire';
import type { Row } from './report';
import { defineScenario, type Scenario } from './scenario';

/*
 * One full lag snapshot of a fleet of consumer groups, on whichever Kafka a scenario starts. The product
 * takes it in batched requests (server/brokers/kafka/fleet-snapshot.ts); the baseline is what a kafkajs
 * user writes: fetchTopicOffsets per topic and fetchOffsets per group.
 */

export interface LagFleet {
  topics: number;
  partitionsPerTopic: number;
  groups: number;
}

/** A running Kafka for one scenario. */
export interface LagPeer {
  bootstrap: string;
  createTopics(names: string[], partitions: number): Promise<void>;
  /** CPU time the broker has used so far (bench/lib/peer-cpu.ts). */
  cpuMs(): number;
  stop(): Promise<void>;
}

interface Context {
  bootstrap: string;
  expected: Outcome;
}

/** What a snapshot found; both paths must agree with each other and with the seeding. */
interface Outcome {
  groups: number;
  committedPartitions: number;
  totalLag: number;
}

const RECORDS_PER_PARTITION = 5;
const SEED_CONCURRENCY = 16;
const COMMIT_ATTEMPTS = 40;
const COMMIT_RETRY_MS = 250;
const TOPIC_PREFIX = 'bench.';
const GROUP_PREFIX = 'bench-group-';

const topicName = (t: number) => `${TOPIC_PREFIX}orders-${String(t).padStart(3, '0')}`;
const groupName = (g: number) => `${GROUP_PREFIX}${String(g).padStart(4, '0')}`;

function kafkaFor(bootstrap: string): Kafka {
  return new Kafka({
    clientId: 'bench',
    brokers: bootstrap.split(','),
    logLevel: logLevel.NOTHING,
    requestTimeout: 30_000,
  });
}

async function produceRecords(kafka: Kafka, fleet: LagFleet): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (let t = 0; t < fleet.topics; t += 25) {
      const topics = Array.from({ length: Math.min(25, fleet.topics - t) }, (_, i) => topicName(t + i));
      await producer.sendBatch({
        topicMessages: topics.map((topic) => ({
          topic,
          messages: Array.from({ length: fleet.partitionsPerTopic * RECORDS_PER_PARTITION }, (_, i) => ({
            partition: i % fleet.partitionsPerTopic,
            value: 'x'.repeat(10),
          })),
        })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

/**
 * Group g commits on every partition of topic g mod topics, 0 to 5 records behind. Committed from outside
 * the group (generation -1), as Kafka's admin tools alter offsets.
 */
async function commitOffsets(kafka: Kafka, fleet: LagFleet): Promise<Outcome> {
  const wire = createWireCluster(kafka);
  await wire.connect();
  let totalLag = 0;
  try {
    await mapLimit(
      Array.from({ length: fleet.groups }, (_, g) => g),
      SEED_CONCURRENCY,
      async (g) => {
        const groupId = groupName(g);
        const partitions = Array.from({ length: fleet.partitionsPerTopic }, (_, partition) => {
          const offset = (g + partition) % (RECORDS_PER_PARTITION + 1);
          totalLag += RECORDS_PER_PARTITION - offset;
          return { partition, offset: String(offset) };
        });
        await commitWithRetries(wire, groupId, [{ topic: topicName(g % fleet.topics), partitions }]);
      },
    );
  } finally {
    await wire.disconnect();
  }
  return { groups: fleet.groups, committedPartitions: fleet.groups * fleet.partitionsPerTopic, totalLag };
}

/** Apache Kafka answers NOT_COORDINATOR for a while after creating its offsets topic: ask again, a few times. */
async function commitWithRetries(wire: WireCluster, groupId: string, topics: unknown[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const coordinator = (await wire.findGroupCoordinator({ groupId })) as unknown as {
        offsetCommit(req: unknown): Promise<unknown>;
      };
      await coordinator.offsetCommit({ groupId, groupGenerationId: -1, memberId: '', topics });
      return;
    } catch (err) {
      if (attempt >= COMMIT_ATTEMPTS || !(err as { retriable?: boolean }).retriable) throw err;
      await setTimeout(COMMIT_RETRY_MS);
    }
  }
}

async function seed(peer: LagPeer, fleet: LagFleet): Promise<Outcome> {
  const names = Array.from({ length: fleet.topics }, (_, t) => topicName(t));
  await peer.createTopics(names, fleet.partitionsPerTopic);
  const kafka = kafkaFor(peer.bootstrap);
  await produceRecords(kafka, fleet);
  return commitOffsets(kafka, fleet);
}

function checked(outcome: Outcome, expected: Outcome): Outcome {
  if (!isDeepStrictEqual(outcome, expected)) {
    throw new Error(`found ${JSON.stringify(outcome)}, seeded ${JSON.stringify(expected)}`);
  }
  return outcome;
}

function config(bootstrap: string): KafkaConnectionConfig {
  return { name: 'bench', brokers: bootstrap.split(','), clientId: 'tidewatch-bench' };
}

/** The figures other tools read from the results file, named as they expect them. */
function headline(rows: Row[], settings: Record<string, unknown>): Record<string, unknown> {
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
}

async function productRun({ bootstrap, expected }: Context) {
  // The worker keeps one client per cluster (getKafkaClient): runs after the first reuse its connection.
  const source = new KafkaSource(config(bootstrap), { deadlineMs: 120_000 });
  const snapshot = await source.fleetSnapshot([]);
  const groups = snapshot.groups.filter((g) => g.groupId.startsWith(GROUP_PREFIX));
  const outcome: Outcome = {
    groups: groups.length,
    committedPartitions: groups.reduce((n, g) => n + g.lag.filter((l) => l.committed !== null).length, 0),
    totalLag: groups.reduce((n, g) => n + g.summary.totalLag, 0),
  };
  return { counters: { requests: snapshot.requests.total }, outcome: checked(outcome, expected) };
}

async function baselineRun({ bootstrap, expected }: Context) {
  const admin = kafkaFor(bootstrap).admin();
  let requests = 0;
  admin.on(admin.events.REQUEST, () => {
    requests++;
  });
  await admin.connect();
  try {
    const { groups } = await admin.listGroups();
    const ids = groups.map((g) => g.groupId).filter((id) => id.startsWith(GROUP_PREFIX));
    const ends = new Map<string, Map<number, bigint>>();
    for (const topic of (await admin.listTopics()).filter((t) => t.startsWith(TOPIC_PREFIX))) {
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
    const outcome = { groups: ids.length, committedPartitions, totalLag };
    return { counters: { requests }, outcome: checked(outcome, expected) };
  } finally {
    await admin.disconnect();
  }
}

/** A lag-snapshot scenario: `fleet` seeded on the Kafka `start` brings up, torn down after. */
export function lagSnapshotScenario(opts: {
  peer: string;
  fleet: LagFleet;
  runs: number;
  start(): Promise<LagPeer>;
}): Scenario<Context> {
  const { fleet } = opts;
  const partitions = fleet.topics * fleet.partitionsPerTopic;
  const count = (n: number) => n.toLocaleString('en-US');
  return defineScenario<Context>({
    description: `one lag snapshot of ${count(fleet.groups)} groups over ${count(fleet.topics)} topics (${count(partitions)} partitions) on ${opts.peer}`,
    runs: opts.runs,
    counters: { requests: 'Kafka requests' },
    async setup() {
      const peer = await opts.start();
      try {
        const expected = await seed(peer, fleet);
        return {
          context: { bootstrap: peer.bootstrap, expected },
          settings: { peer: opts.peer, topics: fleet.topics, partitions, ...expected },
          peerCpuMs: () => peer.cpuMs(),
          teardown: () => peer.stop(),
        };
      } catch (err) {
        await peer.stop();
        throw err;
      }
    },
    headline,
    product: {
      label: 'KafkaSource.fleetSnapshot (batched FindCoordinator, DescribeGroups, OffsetFetch v8)',
      run: productRun,
    },
    baseline: {
      label: 'kafkajs admin: listGroups, fetchTopicOffsets per topic, fetchOffsets per group',
      run: baselineRun,
    },
  });
}
