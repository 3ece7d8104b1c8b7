import type { Admin } from 'kafkajs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KafkaTestBroker, startKafkaBroker } from '@/scripts/peers/kafka-broker/index';
import { closeKafkaClients } from '@/server/brokers/kafka/client';
import { startIndexer } from '@/server/indexer/indexer-service';
import { indexerGroupId } from '@/server/indexer/kafka-indexer';
import { countIndexed } from '@/server/trace/index-events';
import { searchTrace } from '@/server/trace/search-trace';
import { testKafka } from '@/tests/integration/kafka-adapter/helpers';
import { uniqueName, waitFor } from '@/tests/support/wait';
import { createTestStore, type TestStore } from '../store/support/test-stores';
import { byTopic, demoFlows, demoTopics, expectedIds, indexerConfig, nullsLast } from './support/demo-flows';

/*
 * Offsets are committed only after the store write: while the store refuses writes the group's
 * offsets stand still, and once it is back every record is indexed, none skipped.
 */
describe('the Kafka indexer through a store outage (test broker, PostgreSQL)', () => {
  const prefix = `${uniqueName('ix-out')}.`;
  let broker: KafkaTestBroker;
  let admin: Admin;
  let t: TestStore;
  const logs: string[] = [];

  beforeAll(async () => {
    broker = await startKafkaBroker({ port: 0, initialRebalanceDelayMs: 30 });
    for (const topic of demoTopics(prefix)) broker.createTopic(topic, 3);
    admin = testKafka(broker.bootstrap).admin();
    await admin.connect();
    t = await createTestStore('postgres');
  }, 60_000);

  afterAll(async () => {
    await admin?.disconnect();
    await closeKafkaClients();
    await t?.cleanup();
    await broker?.stop();
  });

  it('commits nothing while the store fails, then indexes every record once it is back', async () => {
    const config = indexerConfig({ clusters: [{ name: 'out', bootstrap: broker.bootstrap, prefix }] });
    const groupId = indexerGroupId(config.trace, 'out');
    const committed = async () =>
      (await admin.fetchOffsets({ groupId }))
        .flatMap((o) => o.partitions)
        .reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    await sql`alter table events rename to events_away`.execute(t.store.db);
    const flows = demoFlows(4, prefix);
    const producer = testKafka(broker.bootstrap).producer();
    await producer.connect();
    await producer.sendBatch({ topicMessages: byTopic(flows) });
    await producer.disconnect();
    const indexer = startIndexer({ store: t.store, config, log: (line) => logs.push(line) });
    try {
      await indexer.ready;
      await waitFor(() => (logs.some((l) => l.includes('crashed')) ? true : undefined), 20_000);
      expect(await committed()).toBe(0);
      await sql`alter table events_away rename to events`.execute(t.store.db);
      await waitFor(async () => ((await countIndexed(t.store)) === 16 ? true : undefined), 30_000);
      await waitFor(async () => ((await committed()) === 16 ? true : undefined), 20_000);
      for (const flow of flows) {
        const found = await searchTrace(t.store, { kind: 'correlation', value: flow.flowId });
        expect(found.chain.map((e) => e.eventId).sort(nullsLast)).toEqual(expectedIds(flow));
      }
    } finally {
      await indexer.stop();
    }
  }, 90_000);
});
