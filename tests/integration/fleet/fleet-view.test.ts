import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { configSchema, type TidewatchConfig } from '@/lib/config/schema';
import {
  type FleetView,
  type GroupView,
  groupPartitionSeries,
  groupTopicSeries,
} from '@/lib/fleet/fleet-view';
import { type KafkaTestBroker, startKafkaBroker } from '@/scripts/peers/kafka-broker/index';
import { closeKafkaClients } from '@/server/brokers/kafka/client';
import { readLatestView } from '@/server/fleet/latest-view';
import { sampleFleet } from '@/server/fleet/sample-fleet';
import { readSeries } from '@/server/history/samples';
import { openStore, type Store } from '@/server/store/db';
import { migrateToLatest } from '@/server/store/migrate';
import { testKafka } from '@/tests/integration/kafka-adapter/helpers';
import { commitAsStandalone } from '@/tests/support/kafka-commit';
import { quickConsumer } from '@/tests/support/kafka-consumer';
import { createReadyTopics } from '@/tests/support/kafka-topics';
import { uniqueName, waitFor } from '@/tests/support/wait';

const PYTHON_LAG = path.resolve(import.meta.dirname, '../../support/python/kafka-python-lag.py');
const HASH = `$2b$10$${'a'.repeat(53)}`;
const WINDOW = 4;

function config(clusters: { name: string; bootstrap: string }[]): TidewatchConfig {
  return configSchema.parse({
    auth: { credentials: { users: [{ email: 'a@example.com', passwordHash: HASH, role: 'admin' }] } },
    kafka: { clusters: clusters.map((c) => ({ name: c.name, brokers: [c.bootstrap] })) },
    worker: { sampleIntervalSeconds: 1, statusWindowSamples: WINDOW, sourceTimeoutSeconds: 20 },
  });
}

/*
 * Five groups on Apache Kafka, sampled tick by tick as the worker does, each behaving as on-call sees it
 * in real life: one keeps up, one stalls (members, no commits), one stopped (no members), one falls
 * behind, one rewinds. Records written "400 s ago" make the time lags unambiguous against the
 * real-time thresholds (warn 60 s, critical 300 s).
 */
describe('the fleet view, judged snapshot by snapshot on Apache Kafka', () => {
  const { bootstrap } = inject('apacheKafka');
  const cluster = uniqueName('view');
  const spare = uniqueName('view-spare');
  const topic = uniqueName('orders');
  const dlq = `${topic}.DLT`;
  const g = {
    keepsUp: uniqueName('keeps-up'),
    stalled: uniqueName('stalled'),
    stopped: uniqueName('stopped'),
    behind: uniqueName('behind'),
    rewinds: uniqueName('rewinds'),
  };
  let kafka: Kafka;
  let admin: Admin;
  let store: Store;
  let dir: string;
  let testBroker: KafkaTestBroker;
  let cfg: TidewatchConfig;
  const consumers: Consumer[] = [];
  const views: FleetView[] = [];
  const oldAt = Date.now() - 400_000;

  const group = (view: FleetView | undefined, id: string): GroupView => {
    const found = view?.groups.find((x) => x.cluster === cluster && x.groupId === id);
    if (!found) throw new Error(`group ${id} missing from the view: ${JSON.stringify(view?.sources)}`);
    return found;
  };

  async function produce(count: number, timestamp?: number) {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: Array.from({ length: count }, (_, i) => ({
        value: `order-${i}`,
        timestamp: timestamp === undefined ? undefined : String(timestamp),
      })),
    });
    await producer.disconnect();
  }

  const commit = (groupId: string, offset: number) =>
    commitAsStandalone(bootstrap, groupId, topic, [{ partition: 0, offset }]);

  async function committedOf(groupId: string): Promise<number | null> {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const offset = entry?.partitions[0]?.offset;
    return offset === undefined || offset === '-1' ? null : Number(offset);
  }

  async function tick() {
    views.push(await sampleFleet({ store, config: cfg }));
    await new Promise((r) => setTimeout(r, 1_100));
  }

  beforeAll(async () => {
    kafka = testKafka(bootstrap);
    admin = kafka.admin();
    await admin.connect();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tw-view-'));
    store = await openStore({ sqlitePath: path.join(dir, 'tidewatch.db') });
    await migrateToLatest(store);
    testBroker = await startKafkaBroker({ port: 0 });
    testBroker.createTopic('spare-orders.DLT', 1);
    const spareProducer = testKafka(testBroker.bootstrap).producer();
    await spareProducer.connect();
    await spareProducer.send({
      topic: 'spare-orders.DLT',
      messages: [{ value: 'failed on the spare cluster' }],
    });
    await spareProducer.disconnect();
    cfg = config([
      { name: cluster, bootstrap },
      { name: spare, bootstrap: testBroker.bootstrap },
    ]);
    await createReadyTopics(bootstrap, [
      { topic, numPartitions: 1 },
      { topic: dlq, numPartitions: 1 },
    ]);
    await produce(10, oldAt);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: dlq,
      messages: [0, 1].map((i) => ({
        value: `failed-${i}`,
        timestamp: String(oldAt - 100_000),
        headers: {
          'kafka_dlt-original-topic': topic,
          'kafka_dlt-exception-fqcn': 'java.lang.IllegalStateException',
        },
      })),
    });
    await producer.disconnect();
    for (const [id, offset] of [
      [g.stalled, 2],
      [g.stopped, 2],
      [g.behind, 12],
      [g.rewinds, 8],
    ] as const) {
      await commit(id, offset);
    }
    const keepsUp = quickConsumer(kafka, g.keepsUp);
    const stalled = quickConsumer(kafka, g.stalled);
    consumers.push(keepsUp, stalled);
    let seen = 0;
    for (const c of consumers) {
      await c.connect();
      await c.subscribe({ topic, fromBeginning: true });
    }
    // Commits after every message, as a consumer that keeps up does.
    await keepsUp.run({ autoCommitThreshold: 1, eachMessage: async () => void seen++ });
    // Reads and never commits: members present, offset stuck.
    await stalled.run({ autoCommit: false, eachMessage: async () => {} });
    await waitFor(() => (seen >= 10 ? true : undefined), 30_000);

    for (let i = 0; i < WINDOW; i++) {
      await produce(5);
      await waitFor(() => (seen >= 15 + i * 5 ? true : undefined), 20_000);

      await waitFor(async () => ((await committedOf(g.keepsUp)) === 15 + i * 5 ? true : undefined), 20_000);
      // keeps-up commits on its own; behind moves 2 while 5 arrive; rewinds goes 8 → 9 → 10, then back to 3.
      await commit(g.behind, 12 + i * 2);
      await commit(g.rewinds, i < WINDOW - 1 ? 8 + i : 3);
      await new Promise((r) => setTimeout(r, 300));
      await tick();
      if (i === 0) await testBroker.stop();
    }
  }, 180_000);

  afterAll(async () => {
    for (const c of consumers) await c.disconnect().catch(() => {});
    await admin?.disconnect();
    await closeKafkaClients();
    await testBroker?.stop().catch(() => {});
    await store?.close();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('judges each group by its own behaviour over the window', () => {
    const last = views.at(-1);
    expect(group(last, g.keepsUp)).toMatchObject({ status: 'OK', offsetLag: 0, groupProtocol: 'classic' });
    expect(group(last, g.stalled)).toMatchObject({ status: 'STALL', offsetLag: 28 });
    expect(group(last, g.stalled).members).toHaveLength(1);
    expect(group(last, g.stopped)).toMatchObject({ status: 'STOP', offsetLag: 28, state: 'Empty' });
    expect(group(last, g.behind)).toMatchObject({ status: 'WARN', offsetLag: 30 - 18 });
    expect(group(last, g.rewinds)).toMatchObject({ status: 'REWIND', offsetLag: 27 });
    expect(group(last, g.rewinds).statusReason).toContain('went back from 10 to 3');
  });

  it('gives seconds behind: caught up, from the record when the history is too short, interpolated once it is not', () => {
    const last = views.at(-1);
    expect(group(last, g.keepsUp).timeLag).toEqual({ seconds: 0, method: 'caught-up' });
    const stopped = group(last, g.stopped).timeLag;
    expect(stopped?.method).toBe('record-timestamp');
    expect(stopped?.seconds).toBeGreaterThan(400);
    expect(stopped?.seconds).toBeLessThan(500);
    // behind's offset 18 was written in the second batch: within the sampled history by the last tick.
    const behind = group(last, g.behind).timeLag;
    expect(behind?.method).toBe('interpolated');
    expect(behind?.seconds).toBeGreaterThan(0);
    expect(behind?.seconds).toBeLessThan(30);
  });

  it('measures rates and the time to clear, or says it is not catching up', () => {
    const last = views.at(-1);
    const behind = group(last, g.behind);
    expect(behind.producedPerSecond).toBeGreaterThan(behind.consumedPerSecond ?? Number.POSITIVE_INFINITY);
    expect(behind.timeToClear).toEqual({ kind: 'not_catching_up' });
    expect(group(last, g.keepsUp).timeToClear).toEqual({ kind: 'clear' });
    expect(group(views[0], g.stopped).timeToClear).toEqual({ kind: 'unknown' });
  });

  it('applies the thresholds and keeps the time a level began', () => {
    const last = views.at(-1);
    // Each judgement names the figure that set it, for the sparkline; a level set by the status names none.
    expect(group(last, g.stopped).judgement).toMatchObject({ level: 'critical', metric: 'timeLagSeconds' });
    expect(group(last, g.stopped).judgement.reason).toContain('time lag');
    expect(group(last, g.keepsUp).judgement.level).toBe('ok');
    // Behaviour weighs beside size: lag rising is a warning though its time lag (seconds) is within bounds.
    expect(group(last, g.behind).timeLag?.seconds).toBeLessThan(60);
    expect(group(last, g.behind).judgement).toMatchObject({ level: 'warn', metric: null });
    expect(group(last, g.behind).judgement.reason).toMatch(
      /^warn: status WARN, .*lag rose in each of the last 4 samples/,
    );
    const dead = last?.dlqs.find((d) => d.source === cluster && d.name === dlq);
    expect(dead).toMatchObject({
      kind: 'kafka',
      depth: 2,
      sources: [topic],
      judgement: { level: 'critical', metric: 'dlqDepth', since: views[0]?.takenAt },
    });
    expect(dead?.oldestAgeSeconds).toBeGreaterThan(500);
    expect(dead?.judgement.reason).toBe('critical: DLQ depth 2 > 0 (default for DLQs)');
  });

  it('keeps the last good rows of a broker that went down, with its error and their age', async () => {
    const first = views[0]?.sources.find((s) => s.name === spare);
    expect(first).toMatchObject({ ok: true, error: null });
    const last = views.at(-1)?.sources.find((s) => s.name === spare);
    expect(last?.ok).toBe(false);
    expect(last?.error).toMatch(/unreachable|no answer/);
    expect(last?.lastGoodAt).toBe(views[0]?.takenAt);
    // Its DLQ is still on the page, as last read.
    expect(views.at(-1)?.dlqs.find((d) => d.source === spare)).toMatchObject({
      name: 'spare-orders.DLT',
      depth: 1,
    });
    expect(views.at(-1)?.sources.find((s) => s.name === cluster)?.ok).toBe(true);
    expect(await readLatestView(store)).toEqual(views.at(-1));
  });

  it('shows the lag kafka-python reports for the same groups (nothing was written since the last snapshot)', () => {
    const ids = [g.stalled, g.stopped, g.behind, g.rewinds];
    const run = spawnSync('/usr/bin/python3', [PYTHON_LAG, bootstrap, ...ids], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const reference = JSON.parse(run.stdout) as Record<
      string,
      { partition: number; committed: number; end: number; lag: number }[]
    >;
    for (const id of ids) {
      const ours = group(views.at(-1), id).partitions.map((p) => ({
        partition: p.partition,
        committed: Number(p.committed),
        end: Number(p.high),
        lag: p.lag,
      }));
      expect(ours, id).toEqual(
        reference[id]?.map(({ partition, committed, end, lag }) => ({ partition, committed, end, lag })),
      );
    }
  });

  it('records the history the charts draw', async () => {
    const lag = await readSeries(store, {
      series: group(views.at(-1), g.behind).id,
      metric: 'lag',
      fromMs: Date.now() - 60_000,
      toMs: Date.now(),
    });
    expect(lag.points.map((p) => p.value)).toEqual([3, 6, 9, 12]);
    // The group page's per-partition charts: offset lag and seconds behind of the one partition.
    const last = group(views.at(-1), g.behind);
    const series = groupPartitionSeries(cluster, g.behind, topic, 0);
    const range = { series, fromMs: Date.now() - 60_000, toMs: Date.now() };
    const partitionLag = await readSeries(store, { ...range, metric: 'lag' });
    expect(partitionLag.points.map((p) => p.value)).toEqual([3, 6, 9, 12]);
    const timeLag = await readSeries(store, { ...range, metric: 'time_lag' });
    expect(timeLag.points).toHaveLength(WINDOW);
    expect(timeLag.points.at(-1)?.value).toBe(last.partitions[0]?.timeLag?.seconds);
    expect(timeLag.points.every((p) => p.value > 0)).toBe(true);
    // The per-topic charts: the topic's lag and its worst partition's seconds behind.
    const topicRange = { ...range, series: groupTopicSeries(cluster, g.behind, topic) };
    const topicTimeLag = await readSeries(store, { ...topicRange, metric: 'time_lag' });
    expect(topicTimeLag.points.map((p) => p.value)).toEqual(timeLag.points.map((p) => p.value));
  });
});
