import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { KafkaClusterConfig } from '@/lib/config/schema';
import { closeKafkaClients } from '@/server/brokers/kafka/client';
import { cancelReplay, confirmReplay } from '@/server/replay/confirm-replay';
import { setItemStatus } from '@/server/replay/item-writes';
import { previewReplay } from '@/server/replay/preview-replay';
import type { ReplayDeps } from '@/server/replay/replay-deps';
import { replayProgress } from '@/server/replay/replay-progress';
import { getJob, listItems, moveJob } from '@/server/replay/replay-store';
import { runReplay } from '@/server/replay/run-replay';
import { testKafka } from '@/tests/integration/kafka-adapter/helpers';
import {
  createTestStore,
  STORE_DIALECTS,
  type TestStore,
} from '@/tests/integration/store/support/test-stores';
import { quickConsumer } from '@/tests/support/kafka-consumer';
import { createReadyTopics } from '@/tests/support/kafka-topics';
import { uniqueName } from '@/tests/support/wait';
import { readAll, replayDeps, springDeadLetters } from './support/kafka-replay';

const OPERATOR = { email: 'olga@example.com', role: 'operator' } as const;
const ADMIN = { email: 'ada@example.com', role: 'admin' } as const;
const VIEWER = { email: 'vic@example.com', role: 'viewer' } as const;

describe.each(STORE_DIALECTS)('guarded replay on Apache Kafka, store on %s', (dialect) => {
  const { bootstrap } = inject('apacheKafka');
  const kafka = testKafka(bootstrap);
  const cluster: KafkaClusterConfig = {
    name: 'rk',
    brokers: [bootstrap],
    clientId: 'tidewatch-test',
    ssl: false,
    dlqPatterns: ['*.DLT'],
  };
  let t: TestStore;
  let deps: ReplayDeps;
  let cleanupDeps: () => Promise<void>;
  let target: string;
  let dlt: string;
  let ids: string[];

  beforeAll(async () => {
    await closeKafkaClients();
  });
  afterAll(async () => {
    await closeKafkaClients();
  });

  beforeEach(async () => {
    target = uniqueName('rp-orders');
    dlt = `${target}.DLT`;
    await createReadyTopics(bootstrap, [
      { topic: target, numPartitions: 2 },
      { topic: dlt, numPartitions: 1 },
    ]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: dlt, messages: springDeadLetters(target, 5) });
    await producer.disconnect();
    ids = [0, 1, 2, 3, 4].map((o) => `0:${o}`);
    t = await createTestStore(dialect);
    ({ deps, cleanup: cleanupDeps } = await replayDeps(t.store, cluster, { bulkCap: 3, ratePerSecond: 100 }));
  });
  afterEach(async () => {
    await t.cleanup();
    await cleanupDeps();
  });

  async function auditActions() {
    const rows = await t.store.db
      .selectFrom('audit_log')
      .select(['action', 'outcome', 'role'])
      .orderBy('seq')
      .execute();
    return rows.map((r) => `${r.action}:${r.outcome}`);
  }

  it('previews to the original topic, freezes the ids, then confirms and sends exactly those', async () => {
    const preview = await previewReplay(deps, OPERATOR, {
      source: 'rk',
      dlq: dlt,
      messageIds: ids.slice(0, 3),
    });
    expect(preview).toMatchObject({ target, originalTarget: target, count: 3, prior: [] });
    expect(preview.requirements).toEqual({
      reasonRequired: false,
      typedTargetRequired: true,
      adminBecause: [],
    });
    expect(preview.sample[0]?.headers).toEqual([{ key: 'event_id', value: 'e-0' }]);
    expect((await getJob(t.store, preview.id)).state).toBe('previewed');

    await expect(
      confirmReplay(deps, OPERATOR, { id: preview.id, typedTarget: 'nope' }),
    ).rejects.toMatchObject({
      code: 'forbidden',
    });
    await confirmReplay(deps, OPERATOR, { id: preview.id, typedTarget: target });
    const outcome = await runReplay(deps, preview.id, { holderId: 'test-1' });
    expect(outcome).toMatchObject({ ran: true, state: 'done', counts: { total: 3, sent: 3 } });

    const read = await readAll(kafka, target, 3);
    expect(read.map((r) => r.key).sort()).toEqual(['order-0', 'order-1', 'order-2']);
    for (const r of read) {
      const i = Number(r.key?.slice(-1));
      expect(JSON.parse(r.value ?? '')).toEqual({ event_id: `e-${i}`, order_id: `o-${i}` });
      expect(Object.keys(r.headers).sort()).toEqual([
        'event_id',
        'x-replay-id',
        'x-replayed-at',
        'x-replayed-by',
      ]);
      expect(r.headers.event_id).toEqual([`e-${i}`]);
      expect(r.headers['x-replay-id']).toEqual([`${preview.id}:${i}`]);
      expect(r.headers['x-replayed-by']).toEqual([OPERATOR.email]);
    }
    expect(await auditActions()).toEqual([
      'replay.preview:ok',
      'replay.confirm:refused',
      'replay.confirm:ok',
      'replay.start:ok',
      'replay.batch:ok',
      'replay.finish:ok',
    ]);
  });

  it('refuses a viewer, an operator above the bulk cap, and an operator re-replaying, saying by whom', async () => {
    await expect(
      previewReplay(deps, VIEWER, { source: 'rk', dlq: dlt, messageIds: ['0:0'] }),
    ).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(
      previewReplay(deps, OPERATOR, { source: 'rk', dlq: dlt, messageIds: ids }),
    ).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('bulk cap of 3'),
    });
    const first = await previewReplay(deps, OPERATOR, { source: 'rk', dlq: dlt, messageIds: ['0:1'] });
    await confirmReplay(deps, OPERATOR, { id: first.id });
    await runReplay(deps, first.id, { holderId: 'test-1' });
    await expect(
      previewReplay(deps, OPERATOR, { source: 'rk', dlq: dlt, messageIds: ['0:1'] }),
    ).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining(`by ${OPERATOR.email}`),
    });
    const again = await previewReplay(deps, ADMIN, { source: 'rk', dlq: dlt, messageIds: ['0:1'] });
    expect(again.prior).toMatchObject([{ messageId: '0:1', replayId: first.id, by: OPERATOR.email }]);
    expect(await auditActions()).toEqual(
      expect.arrayContaining(['replay.preview:refused', 'replay.preview:refused', 'replay.preview:refused']),
    );
    expect((await auditActions()).filter((a) => a === 'replay.preview:refused')).toHaveLength(3);
  });

  it('stops between batches when cancelled, and says exactly which messages were sent', async () => {
    const slow = { ...deps, config: { ...deps.config, ratePerSecond: 1 } };
    const preview = await previewReplay(slow, ADMIN, { source: 'rk', dlq: dlt, messageIds: ids });
    await confirmReplay(slow, ADMIN, { id: preview.id, typedTarget: target });
    const run = runReplay(slow, preview.id, { holderId: 'test-1' });
    await new Promise((r) => setTimeout(r, 1500));
    await cancelReplay(slow, OPERATOR, preview.id);
    const outcome = await run;
    expect(outcome).toMatchObject({ ran: true, state: 'cancelled' });
    const items = await listItems(t.store, preview.id);
    const sent = items.filter((i) => i.status === 'sent');
    const progress = await replayProgress(t.store, preview.id);
    expect(progress).toMatchObject({
      state: 'cancelled',
      cancelRequested: true,
      counts: { total: 5, sent: sent.length },
    });
    // Every message is listed (5 is under the cap), those not sent first, and exactly the sent ones as sent.
    expect(progress.messagesTotal).toBe(5);
    expect(progress.messages.map((m) => m.id).sort()).toEqual(items.map((i) => i.message_id).sort());
    expect(progress.messages.findIndex((m) => m.status === 'sent')).toBe(5 - sent.length);
    expect(
      progress.messages
        .filter((m) => m.status === 'sent')
        .map((m) => m.id)
        .sort(),
    ).toEqual(sent.map((i) => i.message_id).sort());
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.length).toBeLessThan(5);
    expect(items.filter((i) => i.status !== 'sent').every((i) => i.status === 'pending')).toBe(true);
    const read = await readAll(kafka, target, sent.length);
    expect(read.map((r) => r.key).sort()).toEqual(sent.map((i) => `order-${i.idx}`).sort());
  });

  it('runs a job in one instance only: a second runner finds the lease held', async () => {
    const preview = await previewReplay(deps, OPERATOR, { source: 'rk', dlq: dlt, messageIds: ['0:2'] });
    await confirmReplay(deps, OPERATOR, { id: preview.id });
    const [a, b] = await Promise.all([
      runReplay(deps, preview.id, { holderId: 'one' }),
      runReplay(deps, preview.id, { holderId: 'two' }),
    ]);
    expect([a.ran, b.ran].sort()).toEqual([false, true]);
    expect(await readAll(kafka, target, 1)).toHaveLength(1);
  });

  it('refuses to confirm a job whose messages another confirmed job already holds', async () => {
    const a = await previewReplay(deps, ADMIN, { source: 'rk', dlq: dlt, messageIds: ['0:0', '0:1'] });
    const b = await previewReplay(deps, ADMIN, { source: 'rk', dlq: dlt, messageIds: ['0:1', '0:2'] });
    await confirmReplay(deps, ADMIN, { id: a.id, typedTarget: target });
    await expect(confirmReplay(deps, ADMIN, { id: b.id, typedTarget: target })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining(a.id),
    });
    expect((await getJob(t.store, b.id)).state).toBe('previewed');
  });

  it('a sensitive target needs a written reason, kept with the job and in the audit', async () => {
    const strict = { ...deps, config: { ...deps.config, sensitiveTargets: ['rp-orders*'] } };
    const preview = await previewReplay(strict, OPERATOR, { source: 'rk', dlq: dlt, messageIds: ['0:3'] });
    expect(preview.requirements.reasonRequired).toBe(true);
    await expect(confirmReplay(strict, OPERATOR, { id: preview.id })).rejects.toMatchObject({
      message: expect.stringContaining('sensitive target'),
    });
    await confirmReplay(strict, OPERATOR, { id: preview.id, reason: 'fixed in INC-4411, safe to retry' });
    expect((await getJob(t.store, preview.id)).reason).toBe('fixed in INC-4411, safe to retry');
    const confirm = await t.store.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'replay.confirm')
      .where('outcome', '=', 'ok')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(confirm.details)).toMatchObject({ reason: 'fixed in INC-4411, safe to retry' });
  });

  it('a canary that comes back to the DLQ stops the job after one message', async () => {
    const canary = { ...deps, config: { ...deps.config, canary: { enabled: true, waitSeconds: 3 } } };
    // A consumer of the target that still fails: it dead-letters what it reads, headers and all.
    const failing = quickConsumer(kafka, uniqueName('still-failing'));
    const producer = kafka.producer();
    await Promise.all([failing.connect(), producer.connect()]);
    try {
      const joined = new Promise((resolve) => failing.on(failing.events.GROUP_JOIN, resolve));
      await failing.subscribe({ topic: target, fromBeginning: true });
      await failing.run({
        eachMessage: async ({ message }) => {
          await producer.send({
            topic: dlt,
            messages: [{ key: message.key, value: message.value, headers: message.headers }],
          });
        },
      });
      // Joined before the canary goes, or the wait could pass before it reads anything.
      await joined;
      const preview = await previewReplay(canary, ADMIN, {
        source: 'rk',
        dlq: dlt,
        messageIds: ids.slice(0, 3),
      });
      await confirmReplay(canary, ADMIN, { id: preview.id, typedTarget: target });
      const outcome = await runReplay(canary, preview.id, { holderId: 'test-1' });
      expect(outcome).toMatchObject({
        ran: true,
        state: 'partial',
        counts: { total: 3, sent: 1, pending: 2 },
      });
      expect((await getJob(t.store, preview.id)).error).toContain('canary');
    } finally {
      await Promise.all([failing.disconnect(), producer.disconnect()]);
    }
  });

  it('a run that ended in the canary wait judges the canary again on resume, before sending more', async () => {
    const canary = { ...deps, config: { ...deps.config, canary: { enabled: true, waitSeconds: 1 } } };
    // What a crash in the wait leaves: the job running, the canary alone sent, no verdict recorded.
    const crashed = async () => {
      const preview = await previewReplay(canary, ADMIN, {
        source: 'rk',
        dlq: dlt,
        messageIds: ids.slice(0, 3),
      });
      await confirmReplay(canary, ADMIN, { id: preview.id, typedTarget: target });
      await moveJob(t.store, await getJob(t.store, preview.id), 'start', {
        started_at: new Date().toISOString(),
      });
      await setItemStatus(t.store, preview.id, 0, 'sent', { sent_at: new Date().toISOString() });
      return preview.id;
    };
    const back = await crashed();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: dlt,
      messages: [{ key: 'order-0', value: 'again', headers: { 'x-replay-id': `${back}:0` } }],
    });
    await producer.disconnect();
    expect(await runReplay(canary, back, { holderId: 'resumer' })).toMatchObject({
      state: 'partial',
      counts: { sent: 1, pending: 2 },
    });
    expect((await getJob(t.store, back)).error).toContain('canary');

    const quiet = await crashed();
    expect(await runReplay(canary, quiet, { holderId: 'resumer' })).toMatchObject({
      state: 'done',
      counts: { sent: 3 },
    });
    // The canary was not sent again: only the two after it reached the target.
    expect((await readAll(kafka, target, 2)).map((r) => r.key).sort()).toEqual(['order-1', 'order-2']);
  });

  it('a canary that does not come back lets the rest go', async () => {
    const canary = { ...deps, config: { ...deps.config, canary: { enabled: true, waitSeconds: 1 } } };
    const preview = await previewReplay(canary, ADMIN, {
      source: 'rk',
      dlq: dlt,
      messageIds: ids.slice(0, 3),
    });
    await confirmReplay(canary, ADMIN, { id: preview.id, typedTarget: target });
    expect(await runReplay(canary, preview.id, { holderId: 'test-1' })).toMatchObject({ state: 'done' });
    expect(await readAll(kafka, target, 3)).toHaveLength(3);
  });
});
