import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { DeadLetterSource } from '@/server/brokers/dead-letter-source';
import { closeKafkaClients } from '@/server/brokers/kafka/client';
import { ServiceError } from '@/server/errors';
import { confirmReplay } from '@/server/replay/confirm-replay';
import { previewReplay } from '@/server/replay/preview-replay';
import type { ReplayDeps } from '@/server/replay/replay-deps';
import { countItems, listItems } from '@/server/replay/replay-store';
import { KAFKA_GROUP, MAX_BATCH, runReplay } from '@/server/replay/run-replay';
import { testKafka } from '@/tests/integration/kafka-adapter/helpers';
import { createTestStore, type TestStore } from '@/tests/integration/store/support/test-stores';
import { readAll, replayCluster, replayDeps, seedDlt, springDeadLetters } from './support/kafka-replay';

/*
 * A Kafka run records its messages a group at a time (KAFKA_GROUP: sending, then the outcomes and one
 * audit entry) and sends each group in sends of MAX_BATCH. On Apache Kafka: a whole DLQ of more than a
 * group goes out once each, one audit entry per group; a send refused in the middle of a group keeps
 * what went before it, fails that send's messages and puts what follows back to pending, unsent.
 */

const COUNT = KAFKA_GROUP + 300;
const ADMIN = { email: 'ada@example.com', role: 'admin' } as const;

describe('replay groups on Apache Kafka', () => {
  const { bootstrap } = inject('apacheKafka');
  const kafka = testKafka(bootstrap);
  let t: TestStore;
  let deps: ReplayDeps;
  let target: string;
  let dlt: string;

  beforeAll(async () => {
    await closeKafkaClients();
  });
  afterAll(async () => {
    await closeKafkaClients();
  });
  beforeEach(async (context) => {
    ({ target, dlt } = await seedDlt(bootstrap, 'rg-orders', { target: 1, dlt: 1 }, (to) =>
      springDeadLetters(to, COUNT),
    ));
    t = await createTestStore('sqlite');
    const made = await replayDeps(t.store, replayCluster(bootstrap), {
      bulkCap: 10,
      ratePerSecond: 'unlimited',
      maxMessages: 10_000,
    });
    deps = made.deps;
    context.onTestFinished(async () => {
      await t.cleanup();
      await made.cleanup();
    });
  });

  async function confirmedJob(): Promise<string> {
    const preview = await previewReplay(deps, ADMIN, { source: 'rk', dlq: dlt, selection: { kind: 'all' } });
    expect(preview.count).toBe(COUNT);
    await confirmReplay(deps, ADMIN, { id: preview.id, typedTarget: target });
    return preview.id;
  }

  const batchEntries = async () => {
    const rows = await t.store.db
      .selectFrom('audit_log')
      .select(['details', 'outcome'])
      .where('action', '=', 'replay.batch')
      .orderBy('seq')
      .execute();
    return rows.map((r) => {
      const d = JSON.parse(r.details) as { count: number; sent: number };
      return [d.count, d.sent, r.outcome];
    });
  };

  it('sends a DLQ larger than a group once each, with one audit entry per group', async () => {
    const id = await confirmedJob();
    expect(await runReplay(deps, id, { holderId: 'one' })).toMatchObject({ ran: true, state: 'done' });
    expect(await batchEntries()).toEqual([
      [KAFKA_GROUP, KAFKA_GROUP, 'ok'],
      [300, 300, 'ok'],
    ]);
    const read = await readAll(kafka, target, COUNT);
    expect(read).toHaveLength(COUNT);
    expect(new Set(read.map((r) => r.headers['x-replay-id']?.[0])).size).toBe(COUNT);
  });

  it('a send refused mid-group: the sends before it stay sent, its messages fail, the rest go back unsent', async () => {
    const id = await confirmedJob();
    const [real] = deps.sources as [DeadLetterSource];
    let sends = 0;
    // The broker's answer to the group's third send: nothing could be sent (as a stopped broker answers).
    const refusing: DeadLetterSource = {
      kind: real.kind,
      name: real.name,
      browse: real.browse.bind(real),
      send: async (to, messages) => {
        sends++;
        if (sends === 3) throw new ServiceError('broker_unavailable', 'Kafka cluster "rk" is not reachable');
        return real.send(to, messages);
      },
    };
    const outcome = await runReplay({ ...deps, sources: [refusing] }, id, { holderId: 'one' });
    expect(outcome).toMatchObject({ ran: true, state: 'partial' });
    expect(sends).toBe(3);
    expect(await countItems(t.store, id)).toEqual({
      total: COUNT,
      sent: 2 * MAX_BATCH,
      failed: MAX_BATCH,
      pending: COUNT - 3 * MAX_BATCH,
      uncertain: 0,
    });
    const items = await listItems(t.store, id);
    const statusAt = (idx: number) => items[idx]?.status;
    expect(
      [0, 2 * MAX_BATCH - 1, 2 * MAX_BATCH, 3 * MAX_BATCH - 1, 3 * MAX_BATCH, COUNT - 1].map(statusAt),
    ).toEqual(['sent', 'sent', 'failed', 'failed', 'pending', 'pending']);
    expect(items[2 * MAX_BATCH]?.error).toBe('Kafka cluster "rk" is not reachable');
    expect(await batchEntries()).toEqual([
      [2 * MAX_BATCH, 2 * MAX_BATCH, 'ok'],
      [MAX_BATCH, 0, 'failed'],
    ]);
    // The target holds exactly what the store says was sent.
    expect(await readAll(kafka, target, 2 * MAX_BATCH)).toHaveLength(2 * MAX_BATCH);
  });
});
