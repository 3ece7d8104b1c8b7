import fs from 'node:fs/promises';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Kafka } from 'kafkajs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { replayConfigSchema } from '@/lib/config/replay-schema';
import type { KafkaClusterConfig } from '@/lib/config/schema';
import { type KafkaTestBroker, startKafkaBroker } from '@/scripts/peers/kafka-broker/index';
import { type RestartableSqsPeer, startLocalAwsSqs } from '@/scripts/peers/sqs';
import { closeKafkaClients } from '@/server/brokers/kafka/client';
import { BROWSE_IDLE_MS } from '@/server/brokers/sqs/browse-session';
import { closeSqsClients } from '@/server/brokers/sqs/client';
import type { ReplayDeps } from '@/server/replay/replay-deps';
import type { ReplayRunner } from '@/server/replay/replay-runner';
import { owedRemovals } from '@/server/replay/retry-removal';
import { testKafka } from '@/tests/integration/kafka-adapter/helpers';
import {
  drainQueue,
  eventually,
  queueDepth,
  seedClient,
  seedDeadLetters,
  uniquePrefix,
} from '@/tests/integration/sqs/helpers';
import { tempDir } from '@/tests/integration/store/support/audit-context';
import {
  createTestStore,
  STORE_DIALECTS,
  type TestStore,
} from '@/tests/integration/store/support/test-stores';
import { uniqueName, waitFor } from '@/tests/support/wait';
import {
  auditEntries,
  confirmedJob,
  endedDone,
  expectEachOnce,
  offsetIds,
  runner,
  stopMidJob,
} from './support/broker-down';
import { readAll, replayDeps, springDeadLetters } from './support/kafka-replay';
import { sqsReplayDeps } from './support/sqs-replay-deps';

/*
 * The broker goes away in the middle of a replay job and comes back on the same port with its data.
 * The batch the runner sends into the outage is refused, so the job ends `partial` claiming exactly the
 * messages that reached the target; once the broker is back a second job sends the rest, and the
 * target holds every message once. Both peers keep their data across the stop: our Kafka test broker
 * (its log is kept by stop/restart) and local-aws-sqs (halt/restart keeps queues and messages).
 */

const COUNT = 200;
// 25 a second is one batch of 25 a second: the job is one batch in, waiting for its next, when the
// broker goes, and would need 8 s to finish.
const SLOW = { ratePerSecond: 25 };
const BATCH = 25;
const FAST = { ratePerSecond: 500 };

describe.each(STORE_DIALECTS)('replay with the Kafka broker stopped mid-job, store on %s', (dialect) => {
  let broker: KafkaTestBroker;
  let kafka: Kafka;
  let cluster: KafkaClusterConfig;
  let t: TestStore;
  let deps: ReplayDeps;
  let fast: ReplayDeps;
  let cleanupDeps: () => Promise<void>;
  let down = false;
  const loops: ReplayRunner[] = [];

  beforeAll(async () => {
    broker = await startKafkaBroker({ port: 0, initialRebalanceDelayMs: 30 });
    kafka = testKafka(broker.bootstrap);
    cluster = {
      name: 'fk',
      brokers: [broker.bootstrap],
      clientId: 'tidewatch-test',
      ssl: false,
      dlqPatterns: ['*.DLT'],
    };
  });
  afterAll(async () => {
    await closeKafkaClients();
    await broker?.stop();
  });
  beforeEach(async () => {
    t = await createTestStore(dialect);
    ({ deps, cleanup: cleanupDeps } = await replayDeps(t.store, cluster, SLOW));
    fast = { ...deps, config: replayConfigSchema.parse(FAST) };
  });
  afterEach(async () => {
    if (down) await broker.restart();
    down = false;
    await Promise.all(loops.splice(0).map((l) => l.stop()));
    await t.cleanup();
    await cleanupDeps();
  });

  it('ends partial with exactly what it sent; after the restart the rest go once, the DLT keeps all', async () => {
    const target = uniqueName('bd-orders');
    const dlt = `${target}.DLT`;
    broker.createTopic(target, 2);
    broker.createTopic(dlt, 1);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: dlt, messages: springDeadLetters(target, COUNT) });
    await producer.disconnect();

    const first = await confirmedJob(deps, 'fk', dlt, target, offsetIds(0, COUNT));
    loops.push(runner(() => deps));
    // The next batch is refused: the job ends while the broker is still away.
    const left = await stopMidJob(
      t.store,
      first,
      BATCH,
      'Kafka cluster "fk" is unreachable (ECONNREFUSED)',
      () => {
        down = true;
        return broker.stop();
      },
    );
    await broker.restart();
    down = false;

    // The same runner loop, and the same cached clients, send the rest once the broker is back.
    const second = await confirmedJob(fast, 'fk', dlt, target, left.notSent);
    const rest = await endedDone(t.store, second, left.notSent.length);

    const read = await readAll(kafka, target, COUNT, 10_000);
    const replayIds = read.map((r) => r.headers['x-replay-id']?.[0] ?? '');
    expectEachOnce(
      replayIds,
      read.map((r) => r.headers.event_id?.[0] ?? ''),
      COUNT,
    );
    // What the first job claims is exactly what reached the target under its replay ids, no more.
    expect(replayIds.filter((r) => r.startsWith(`${first}:`)).sort()).toEqual(left.sentReplayIds);
    expect(left.sentReplayIds.length + rest.counts.sent).toBe(COUNT);
    // A replay never trims a Kafka DLT.
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.fetchTopicOffsets(dlt)).toMatchObject([
        { partition: 0, low: '0', high: String(COUNT) },
      ]);
    } finally {
      await admin.disconnect();
    }
  });
});

describe.each(STORE_DIALECTS)('replay with the SQS endpoint stopped mid-job, store on %s', (dialect) => {
  let sqs: RestartableSqsPeer;
  let seed: SQSClient;
  let t: TestStore;
  let dir: string;
  let deps: ReplayDeps;
  let fast: ReplayDeps;
  let down = false;
  const loops: ReplayRunner[] = [];

  beforeAll(async () => {
    sqs = await startLocalAwsSqs();
    seed = seedClient(sqs.endpoint);
  });
  afterAll(async () => {
    seed?.destroy();
    closeSqsClients();
    await sqs?.stop();
  });
  beforeEach(async () => {
    t = await createTestStore(dialect);
    dir = await tempDir();
    deps = sqsReplayDeps(t.store, { name: 'fs', endpoint: sqs.endpoint, auditDir: dir, replay: SLOW });
    fast = { ...deps, config: replayConfigSchema.parse(FAST) };
  });
  afterEach(async () => {
    if (down) await sqs.restart();
    down = false;
    await Promise.all(loops.splice(0).map((l) => l.stop()));
    await t.cleanup();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('ends partial with exactly what it sent, owing its deletes; after the restart a new instance deletes them and the rest go once', async () => {
    const letters = Array.from({ length: COUNT }, (_, i) => ({
      body: JSON.stringify({ event_id: `e-${i}` }),
    }));
    const seeded = await seedDeadLetters(seed, uniquePrefix('bd'), letters);
    const first = await confirmedJob(deps, 'fs', seeded.dlq.name, seeded.source.name, seeded.ids);
    // The preview's browse hides what it read for up to BROWSE_HOLD_SECONDS, and lets go once idle. Let
    // go during the outage, the release is lost and the DLQ stays hidden from a new preview until the
    // hold lapses, so the job starts once the browse let go, as it does when an operator reads first.
    await new Promise((r) => setTimeout(r, BROWSE_IDLE_MS + 500));
    loops.push(runner(() => deps));
    const left = await stopMidJob(
      t.store,
      first,
      BATCH,
      `SQS at ${sqs.endpoint} is unreachable (ECONNREFUSED)`,
      () => {
        down = true;
        return sqs.halt();
      },
    );
    // Its end could not delete what it sent from the DLQ, and says so: nothing was deleted, all owed.
    expect(left.finish.details).toMatchObject({
      removedFromDlq: 0,
      removalOwed: left.sentMessageIds.length,
    });
    expect(left.finish.details.removeError).toContain('ECONNREFUSED');
    expect((await owedRemovals(t.store, first)).sort()).toEqual([...left.sentMessageIds].sort());
    // The instance goes away while the endpoint is down; a new one starts once it is back.
    await Promise.all(loops.splice(0).map((l) => l.stop()));
    await sqs.restart();
    down = false;
    loops.push(runner(() => fast));
    // The new instance finishes the deletes the first job owes, and sends nothing again.
    const removed = await waitFor(async () => {
      const entries = await auditEntries(t.store, 'replay.remove', first);
      return entries.length > 0 ? entries : undefined;
    }, 40_000);
    expect(removed).toEqual([
      { outcome: 'ok', details: expect.objectContaining({ removedFromDlq: left.sentMessageIds.length }) },
    ]);
    expect(await owedRemovals(t.store, first)).toEqual([]);
    await eventually(
      async () =>
        (await queueDepth(seed, seeded.dlq.url)).visible === left.notSent.length ? true : undefined,
      { what: `${left.notSent.length} messages left in the DLQ`, timeoutMs: 10_000 },
    );

    const second = await confirmedJob(fast, 'fs', seeded.dlq.name, seeded.source.name, left.notSent);
    const rest = await endedDone(t.store, second, left.notSent.length);
    expect(rest.finish.details).toMatchObject({
      removedFromDlq: left.notSent.length,
      notFoundInDlq: { ids: [] },
    });

    const got = await drainQueue(seed, seeded.source.url, COUNT);
    const replayIds = got.map((m) => m.MessageAttributes?.['x-replay-id']?.StringValue ?? '');
    expectEachOnce(
      replayIds,
      got.map((m) => (JSON.parse(m.Body ?? '{}') as { event_id?: string }).event_id ?? ''),
      COUNT,
    );
    expect(replayIds.filter((r) => r.startsWith(`${first}:`)).sort()).toEqual(left.sentReplayIds);
    expect(left.sentReplayIds.length + rest.counts.sent).toBe(COUNT);
    // Each job deleted what it sent, the first once the endpoint was back: the DLQ is empty.
    await eventually(
      async () => ((await queueDepth(seed, seeded.dlq.url)).visible === 0 ? true : undefined),
      {
        what: 'the DLQ empty',
        timeoutMs: 10_000,
      },
    );
  });
});
