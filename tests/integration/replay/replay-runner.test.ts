import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { closeKafkaClients } from '@/server/brokers/kafka/client';
import { KafkaDeadLetters } from '@/server/brokers/kafka/dead-letters';
import { confirmReplay } from '@/server/replay/confirm-replay';
import { previewReplay } from '@/server/replay/preview-replay';
import type { ReplayDeps } from '@/server/replay/replay-deps';
import { type ReplayRunner, startReplayRunner } from '@/server/replay/replay-runner';
import { getJob } from '@/server/replay/replay-store';
import { openStore, type Store } from '@/server/store/db';
import { testKafka } from '@/tests/integration/kafka-adapter/helpers';
import { createTestStore, POSTGRES_URL, type TestStore } from '@/tests/integration/store/support/test-stores';
import { waitFor } from '@/tests/support/wait';
import { readAll, replayCluster, replayDeps, seedDlt, springDeadLetters } from './support/kafka-replay';

const ADMIN = { email: 'ada@example.com', role: 'admin' } as const;
const QUIET = () => {};

describe('the replay runner loop, on Apache Kafka and PostgreSQL', () => {
  const { bootstrap } = inject('apacheKafka');
  const kafka = testKafka(bootstrap);
  const cluster = replayCluster(bootstrap);
  let t: TestStore;
  let deps: ReplayDeps;
  let cleanupDeps: () => Promise<void>;
  let target: string;
  let dlt: string;
  const runners: ReplayRunner[] = [];
  const stores: Store[] = [];

  beforeAll(async () => {
    await closeKafkaClients();
  });
  afterAll(async () => {
    await closeKafkaClients();
  });

  beforeEach(async () => {
    ({ target, dlt } = await seedDlt(bootstrap, 'rr-orders', { target: 1, dlt: 1 }, (to) =>
      springDeadLetters(to, 6),
    ));
    t = await createTestStore('postgres');
    ({ deps, cleanup: cleanupDeps } = await replayDeps(t.store, cluster, { ratePerSecond: 100 }));
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await t.cleanup();
    await cleanupDeps();
  });

  function run(options: Partial<Parameters<typeof startReplayRunner>[0]> & { deps: () => ReplayDeps }) {
    const runner = startReplayRunner({ log: QUIET, ...options });
    runners.push(runner);
    return runner;
  }

  async function confirmed(count: number, on: ReplayDeps = deps) {
    const ids = Array.from({ length: count }, (_, i) => `0:${i}`);
    const preview = await previewReplay(on, ADMIN, {
      source: 'rk',
      dlq: dlt,
      selection: { kind: 'ids', messageIds: ids },
    });
    await confirmReplay(on, ADMIN, { id: preview.id, typedTarget: target });
    return preview.id;
  }

  const ended = (id: string, store: Store = t.store) =>
    waitFor(async () => {
      const job = await getJob(store, id);
      return ['done', 'partial', 'failed', 'cancelled'].includes(job.state) ? job : undefined;
    }, 20_000);

  it('a confirmation wakes the loop at once, and the loop sends the job to done', async () => {
    // A round a minute apart: only the wake from confirmReplay can start it within the wait below.
    run({ deps: () => deps, intervalMs: 60_000 });
    await new Promise((r) => setTimeout(r, 200));
    const id = await confirmed(3);
    const job = await waitFor(async () => {
      const j = await getJob(t.store, id);
      return j.state === 'done' ? j : undefined;
    }, 10_000);
    expect(job.state).toBe('done');
    const read = await readAll(kafka, target, 3);
    expect(read.map((r) => r.key).sort()).toEqual(['order-0', 'order-1', 'order-2']);
  });

  it('two loops, two instances on one PostgreSQL store: the job is sent exactly once', async () => {
    const other = await openStore({ databaseUrl: POSTGRES_URL, schema: t.env.TIDEWATCH_DB_SCHEMA });
    stores.push(other);
    const otherDeps: ReplayDeps = { ...deps, store: other, sources: [new KafkaDeadLetters(cluster)] };
    const id = await confirmed(6);
    // Both find it in their first round, at the same moment.
    const a = run({ deps: () => deps, intervalMs: 100, holderId: 'instance-a' });
    const b = run({ deps: () => otherDeps, intervalMs: 100, holderId: 'instance-b' });
    expect(a.holderId).not.toBe(b.holderId);
    expect((await ended(id)).state).toBe('done');
    const read = await readAll(kafka, target, 6);
    expect(read).toHaveLength(6);
    expect(new Set(read.map((r) => r.headers['x-replay-id']?.[0])).size).toBe(6);
    const starts = await t.store.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', 'in', ['replay.start', 'replay.resume'])
      .execute();
    expect(starts).toHaveLength(1);
  });

  it('the lease is kept through a canary wait longer than its TTL: no other loop resumes the job', async () => {
    const canary = { ...deps, config: { ...deps.config, canary: { enabled: true, waitSeconds: 3 } } };
    const id = await confirmed(3, canary);
    run({ deps: () => canary, intervalMs: 100, holderId: 'first', leaseTtlMs: 900 });
    await waitFor(async () => ((await getJob(t.store, id)).state === 'running' ? true : undefined));
    run({ deps: () => canary, intervalMs: 100, holderId: 'second', leaseTtlMs: 900 });
    expect((await ended(id)).state).toBe('done');
    const runs = await t.store.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', 'in', ['replay.start', 'replay.resume'])
      .execute();
    expect(runs.map((r) => r.action)).toEqual(['replay.start']);
    expect(await readAll(kafka, target, 3)).toHaveLength(3);
  });

  it('stopping ends the loop between batches; the job stays running and another loop resumes it', async () => {
    const slow = { ...deps, config: { ...deps.config, ratePerSecond: 2 } };
    const id = await confirmed(6, slow);
    const first = run({ deps: () => slow, intervalMs: 100, holderId: 'first', leaseTtlMs: 2000 });
    await waitFor(async () => ((await getJob(t.store, id)).state === 'running' ? true : undefined));
    await new Promise((r) => setTimeout(r, 1200));
    await first.stop();
    runners.splice(runners.indexOf(first), 1);
    const left = await getJob(t.store, id);
    expect(left.state).toBe('running');
    const fast = { ...deps, config: { ...deps.config, ratePerSecond: 100 } };
    run({ deps: () => fast, intervalMs: 100, holderId: 'second', leaseTtlMs: 2000 });
    expect((await ended(id)).state).toBe('done');
    const read = await readAll(kafka, target, 6);
    expect(read.map((r) => r.key).sort()).toEqual([0, 1, 2, 3, 4, 5].map((i) => `order-${i}`));
  });

  it('ratePerSecond unlimited: the job keeps rate 0, sends its messages in one batch and ends done', async () => {
    const unlimited = { ...deps, config: { ...deps.config, ratePerSecond: 'unlimited' as const } };
    const preview = await previewReplay(unlimited, ADMIN, {
      source: 'rk',
      dlq: dlt,
      selection: { kind: 'ids', messageIds: Array.from({ length: 6 }, (_, i) => `0:${i}`) },
    });
    expect(preview.ratePerSecond).toBe('unlimited');
    expect((await getJob(t.store, preview.id)).rate_per_second).toBe(0);
    await confirmReplay(unlimited, ADMIN, { id: preview.id, typedTarget: target });
    run({ deps: () => unlimited, intervalMs: 100 });
    expect((await ended(preview.id)).state).toBe('done');
    const batches = await t.store.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'replay.batch')
      .execute();
    expect(batches.map((b) => JSON.parse(b.details) as { count: number; sent: number })).toEqual([
      expect.objectContaining({ count: 6, sent: 6 }),
    ]);
    expect(await readAll(kafka, target, 6)).toHaveLength(6);
  });

  it('a failing round is logged and the loop goes on', async () => {
    let calls = 0;
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: unknown) => errors.push(String(line));
    try {
      run({
        deps: () => {
          calls++;
          if (calls <= 2) throw new Error('store not reachable yet');
          return deps;
        },
        intervalMs: 100,
      });
      const id = await confirmed(1);
      expect((await ended(id)).state).toBe('done');
    } finally {
      console.error = original;
    }
    expect(errors.filter((e) => e.includes('store not reachable yet'))).toHaveLength(1);
  });
});
