import { afterAll, afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import type { KafkaClusterConfig } from '@/lib/config/schema';
import { closeKafkaClients } from '@/server/brokers/kafka/client';
import { confirmReplay } from '@/server/replay/confirm-replay';
import { previewReplay } from '@/server/replay/preview-replay';
import type { ReplayDeps } from '@/server/replay/replay-deps';
import { getJob, listItems } from '@/server/replay/replay-store';
import { runPendingReplays } from '@/server/replay/resume-replays';
import { runReplay } from '@/server/replay/run-replay';
import { testKafka } from '@/tests/integration/kafka-adapter/helpers';
import {
  createTestStore,
  STORE_DIALECTS,
  type TestStore,
} from '@/tests/integration/store/support/test-stores';
import { startWorkerProcess } from '@/tests/integration/worker/support/worker-processes';
import { createReadyTopics } from '@/tests/support/kafka-topics';
import { uniqueName, waitFor } from '@/tests/support/wait';
import { readAll, replayDeps, springDeadLetters } from './support/kafka-replay';

const ADMIN = { email: 'ada@example.com', role: 'admin' } as const;
const COUNT = 8;

describe.each(STORE_DIALECTS)('replay crash safety on Apache Kafka, store on %s', (dialect) => {
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
  let auditDir: string;
  let cleanupDeps: () => Promise<void>;
  let target: string;
  let dlt: string;

  afterAll(async () => {
    await closeKafkaClients();
  });
  beforeEach(async () => {
    target = uniqueName('rc-orders');
    dlt = `${target}.DLT`;
    await createReadyTopics(bootstrap, [
      { topic: target, numPartitions: 2 },
      { topic: dlt, numPartitions: 1 },
    ]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: dlt, messages: springDeadLetters(target, COUNT) });
    await producer.disconnect();
    t = await createTestStore(dialect);
    ({ deps, cleanup: cleanupDeps } = await replayDeps(t.store, cluster, { ratePerSecond: 2 }));
    auditDir = deps.audit?.checkpoints.file.replace(/\/[^/]+$/, '') ?? '';
  });
  afterEach(async () => {
    await t.cleanup();
    await cleanupDeps();
  });

  async function confirmedJob(): Promise<string> {
    const ids = Array.from({ length: COUNT }, (_, o) => `0:${o}`);
    const preview = await previewReplay(deps, ADMIN, { source: 'rk', dlq: dlt, messageIds: ids });
    await confirmReplay(deps, ADMIN, { id: preview.id, typedTarget: target });
    return preview.id;
  }

  /** Runs the job in a child process and SIGKILLs it once `ready` says the store is where we want it. */
  async function killChildWhen(id: string, ready: (statuses: string[]) => boolean): Promise<string[]> {
    // One OS process running node itself, so SIGKILL stops the code that sends, not a launcher.
    const worker = startWorkerProcess('tests/integration/replay/support/replay-child.ts', {
      ...t.env,
      TIDEWATCH_CONFIG: '',
      KAFKA_BOOTSTRAP: bootstrap,
      AUDIT_DIR: auditDir,
      REPLAY_JOB_ID: id,
      REPLAY_RATE: '2',
    });
    try {
      // A tight poll of its own: the window between `sending` and `sent` is a few milliseconds.
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        const statuses = (await listItems(t.store, id)).map((i) => i.status);
        if (ready(statuses)) return statuses;
      }
      throw new Error('the child never reached the point to kill it at');
    } finally {
      worker.child.kill('SIGKILL');
      expect((await worker.exited).signal).toBe('SIGKILL');
    }
  }

  /** Resumes as another instance once the dead one's lease has run out; then checks the target. */
  async function resumeAndCheck(id: string) {
    expect((await getJob(t.store, id)).state).toBe('running');
    const outcome = await waitFor(async () => {
      const [result] = await runPendingReplays(deps, { holderId: 'survivor' });
      return result?.outcome.ran ? result.outcome : undefined;
    }, 20_000);
    expect(outcome).toMatchObject({ ran: true, state: 'done', counts: { total: COUNT, sent: COUNT } });
    const read = await readAll(kafka, target, COUNT);
    const replayIds = read.map((r) => r.headers['x-replay-id']?.[0]);
    // Every message once: none lost, none sent twice by us.
    expect(new Set(replayIds).size).toBe(read.length);
    expect(read.map((r) => r.key).sort()).toEqual(
      Array.from({ length: COUNT }, (_, i) => `order-${i}`).sort(),
    );
  }

  it('killed between batches, the job resumes from what the store knows was sent', async () => {
    const id = await confirmedJob();
    const seen = await killChildWhen(id, (s) => s.filter((x) => x === 'sent').length >= 2);
    expect(seen.filter((x) => x === 'pending').length).toBeGreaterThan(0);
    await resumeAndCheck(id);
  });

  it('killed while a message is recorded sending, it is looked for in the target before any resend', async () => {
    const id = await confirmedJob();
    await killChildWhen(id, (s) => s.includes('sending'));
    await resumeAndCheck(id);
  });

  it('a send recorded as unknown that did land is found by its x-replay-id and not sent again', async () => {
    const id = await confirmedJob();
    expect(await runReplay(deps, id, { holderId: 'first' })).toMatchObject({ state: 'done' });
    // The states a crash after the send (or a lost reply) leaves behind.
    await t.store.db.updateTable('replay_jobs').set({ state: 'running' }).where('id', '=', id).execute();
    await t.store.db
      .updateTable('replay_items')
      .set({ status: 'sending' })
      .where('job_id', '=', id)
      .where('idx', '=', 1)
      .execute();
    await t.store.db
      .updateTable('replay_items')
      .set({ status: 'unknown' })
      .where('job_id', '=', id)
      .where('idx', '=', 6)
      .execute();
    await resumeAndCheck(id);
    const items = await listItems(t.store, id);
    expect(items.find((i) => i.idx === 6)?.landed).toContain(target);
  });
});
