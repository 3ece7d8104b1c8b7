import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TidewatchConfig } from '@/lib/config/schema';
import { type KafkaTestBroker, startKafkaBroker } from '@/scripts/peers/kafka-broker/index';
import { closeKafkaClients } from '@/server/brokers/kafka/client';
import { sampleFleet } from '@/server/fleet/sample-fleet';
import { type RunningIndexer, startIndexer } from '@/server/indexer/indexer-service';
import { indexerGroupId } from '@/server/indexer/kafka-indexer';
import type { StoreDialect } from '@/server/store/db';
import { countIndexed } from '@/server/trace/index-events';
import { searchTrace } from '@/server/trace/search-trace';
import { testKafka } from '@/tests/integration/kafka-adapter/helpers';
import { commitAsStandalone } from '@/tests/support/kafka-commit';
import { createReadyTopics } from '@/tests/support/kafka-topics';
import { uniqueName, waitFor } from '@/tests/support/wait';
import { createTestStore, type TestStore } from '../store/support/test-stores';
import {
  byTopic,
  type DemoFlow,
  demoFlows,
  demoTopics,
  expectedIds,
  indexerConfig,
  nullsLast,
} from './support/demo-flows';

interface Peer {
  label: string;
  dialect: StoreDialect;
  start(): Promise<{
    bootstrap: string;
    createTopics(names: string[]): Promise<void>;
    stop(): Promise<void>;
  }>;
}

const PEERS: Peer[] = [
  {
    label: 'Apache Kafka',
    dialect: 'postgres',
    async start() {
      const { bootstrap } = inject('apacheKafka');
      return {
        bootstrap,
        createTopics: (names) =>
          createReadyTopics(
            bootstrap,
            names.map((topic) => ({ topic, numPartitions: 3 })),
          ),
        stop: async () => {},
      };
    },
  },
  {
    label: 'the in-repo test broker',
    dialect: 'sqlite',
    async start() {
      const broker: KafkaTestBroker = await startKafkaBroker({ port: 0, initialRebalanceDelayMs: 30 });
      return {
        bootstrap: broker.bootstrap,
        createTopics: async (names) => {
          for (const name of names) broker.createTopic(name, 3);
        },
        stop: () => broker.stop(),
      };
    },
  },
];

/*
 * Demo-shaped order flows (every envelope style, a DLT copy of failed payments) indexed from a real
 * broker by the indexer's own consumer group, then found whole by one search per flow.
 */
describe.each(PEERS)('the Kafka indexer on $label ($dialect store)', (peer) => {
  const prefix = `${uniqueName('ix')}.`;
  const cluster = uniqueName('ix-cluster');
  const dlt = `${prefix}payments.DLT`;
  let broker: Awaited<ReturnType<Peer['start']>>;
  let kafka: Kafka;
  let admin: Admin;
  let t: TestStore;
  let config: TidewatchConfig;
  const flows: DemoFlow[] = [];
  let written = 0;
  const running: RunningIndexer[] = [];
  const logs: string[] = [];

  async function produce(batch: DemoFlow[], withDlt = false) {
    const producer = kafka.producer();
    await producer.connect();
    const sends = byTopic(batch);
    // A failed payment lands in the DLT as well, Spring-style, the same event under a second location.
    const failed = withDlt ? batch.slice(0, 1).map((f) => f.events[2]?.message) : [];
    if (failed[0]) sends.push({ topic: dlt, messages: [failed[0]] });
    await producer.sendBatch({ topicMessages: sends });
    await producer.disconnect();
    flows.push(...batch);
    written += sends.reduce((n, s) => n + s.messages.length, 0);
  }

  function start(): RunningIndexer {
    const indexer = startIndexer({ store: t.store, config, log: (line) => logs.push(line) });
    running.push(indexer);
    return indexer;
  }

  async function stopAll() {
    await Promise.all(running.splice(0).map((r) => r.stop()));
  }

  const indexedAll = () =>
    waitFor(async () => ((await countIndexed(t.store)) >= written ? true : undefined), 40_000);

  async function committedTotal(): Promise<number> {
    const offsets = await admin.fetchOffsets({ groupId: indexerGroupId(config.trace, cluster) });
    return offsets.flatMap((o) => o.partitions).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
  }

  beforeAll(async () => {
    broker = await peer.start();
    kafka = testKafka(broker.bootstrap);
    admin = kafka.admin();
    await admin.connect();
    await broker.createTopics([...demoTopics(prefix), dlt]);
    t = await createTestStore(peer.dialect);
    config = indexerConfig({ clusters: [{ name: cluster, bootstrap: broker.bootstrap, prefix }] });
  }, 90_000);

  afterAll(async () => {
    await stopAll();
    await admin?.disconnect();
    await closeKafkaClients();
    await t?.cleanup();
    await broker?.stop();
  });

  it('indexes every record of demo flows and finds each flow whole by its correlation id', {
    timeout: 60_000,
  }, async () => {
    await produce(demoFlows(6, prefix), true);
    const indexer = start();
    await indexer.ready;
    await indexedAll();
    expect(await countIndexed(t.store)).toBe(written);
    for (const flow of flows) {
      const found = await searchTrace(t.store, { kind: 'correlation', value: flow.flowId });
      expect(found.matched).toBe('correlation');
      // The DLT copy is the payment event at a second location, not a second event.
      expect(found.chain.map((e) => e.eventId).sort(nullsLast)).toEqual(expectedIds(flow));
      // Only the events whose flow id came from a W3C traceparent header are labelled so.
      const fromTraceparent = flow.events.filter((e) => e.style === 'traceparent-only').length;
      expect(found.chain.filter((e) => e.correlationFrom === 'traceparent')).toHaveLength(fromTraceparent);
      expect(found.chain.filter((e) => e.correlationFrom === null)).toHaveLength(
        found.chain.length - fromTraceparent,
      );
      expect(new Set(found.locations.filter((l) => !l.dlq).map((l) => l.name))).toEqual(
        new Set(flow.events.map((e) => e.topic)),
      );
    }
    const failed = await searchTrace(t.store, { kind: 'correlation', value: flows[0]?.flowId ?? '' });
    expect(failed.locations.find((l) => l.dlq)).toMatchObject({
      kind: 'kafka',
      cluster,
      name: dlt,
      events: 1,
    });
    // Offsets are committed after the store write: the group has committed everything it stored.
    await waitFor(async () => ((await committedTotal()) === written ? true : undefined));
    expect(logs.filter((l) => l.includes('not indexed'))).toEqual([]);
  });

  it('resumes after a restart with no loss, and a re-read from the start writes no duplicates', async () => {
    await stopAll();
    await produce(demoFlows(3, prefix, 1));
    await start().ready;
    await indexedAll();
    expect(await countIndexed(t.store)).toBe(written);
    await stopAll();
    // Rewind the whole group, as a crash between the store write and the commit would (at worst) do.
    const groupId = indexerGroupId(config.trace, cluster);
    for (const topic of [...demoTopics(prefix), dlt]) {
      await commitAsStandalone(
        broker.bootstrap,
        groupId,
        topic,
        [0, 1, 2].map((partition) => ({ partition, offset: 0 })),
      );
    }
    expect(await committedTotal()).toBe(0);
    await start().ready;
    await waitFor(async () => ((await committedTotal()) === written ? true : undefined), 40_000);
    expect(await countIndexed(t.store)).toBe(written);
    for (const flow of flows.slice(-3)) {
      const found = await searchTrace(t.store, { kind: 'correlation', value: flow.flowId });
      expect(found.chain.map((e) => e.eventId).sort(nullsLast)).toEqual(expectedIds(flow));
    }
  }, 120_000);

  it('shares the partitions between two indexers in one group, indexing everything exactly once', async () => {
    const second = start();
    await second.ready;
    const groupId = indexerGroupId(config.trace, cluster);
    await waitFor(async () => {
      const { groups } = await admin.describeGroups([groupId]);
      return groups[0]?.state === 'Stable' && groups[0].members.length === 2 ? true : undefined;
    }, 40_000);
    const before = written;
    await produce(demoFlows(8, prefix, 2));
    await indexedAll();
    await waitFor(async () => ((await committedTotal()) === written ? true : undefined), 40_000);
    expect(await countIndexed(t.store)).toBe(written);
    expect(written - before).toBe(32);
    const { groups } = await admin.describeGroups([groupId]);
    expect(groups[0]?.members).toHaveLength(2);
    for (const member of groups[0]?.members ?? []) expect(member.memberAssignment.length).toBeGreaterThan(0);
  }, 120_000);

  it("shows the indexer's group with its lag in the fleet snapshot", async () => {
    const groupId = indexerGroupId(config.trace, cluster);
    const caughtUp = await sampleFleet({ store: t.store, config });
    const group = caughtUp.groups.find((g) => g.cluster === cluster && g.groupId === groupId);
    expect(group?.offsetLag).toBe(0);
    expect(group?.topics.sort()).toEqual([...demoTopics(prefix), dlt].sort());
    await stopAll();
    await produce(demoFlows(2, prefix));
    const behind = await sampleFleet({ store: t.store, config });
    expect(behind.groups.find((g) => g.cluster === cluster && g.groupId === groupId)?.offsetLag).toBe(8);
  });
});
