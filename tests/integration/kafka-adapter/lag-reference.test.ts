import type { Consumer, Kafka, Producer, Transaction } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { kafkaTool } from '@/scripts/peers/apache-kafka/index';
import { closeKafkaClients } from '@/server/brokers/kafka/client';
import { KafkaSource } from '@/server/brokers/kafka/kafka-source';
import type { PartitionLag } from '@/server/brokers/kafka/types';
import { createReadyTopics } from '@/tests/support/kafka-topics';
import { clusterConfig, quickConsumer, testKafka, uniqueName, waitFor } from './helpers';

/*
 * Kafka's own tools, run from the broker's classpath, are the reference for every figure the
 * adapter reports: kafka-consumer-groups for lag, GetOffsetShell for log start and end offsets,
 * kafka-topics for partition counts.
 */

const GROUP_TOOL = 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand';
const OFFSET_TOOL = 'org.apache.kafka.tools.GetOffsetShell';
const TOPIC_TOOL = 'org.apache.kafka.tools.TopicCommand';

interface ToolLagRow {
  group: string;
  topic: string;
  partition: number;
  current: string;
  logEnd: string;
  lag: string;
}

/** The table of `kafka-consumer-groups --describe`: one row per partition a group has an offset or owner on. */
function parseGroupTable(out: string, groups: Set<string>): ToolLagRow[] {
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols.length >= 6 && groups.has(cols[0] ?? ''))
    .map(([group = '', topic = '', partition = '', current = '', logEnd = '', lag = '']) => ({
      group,
      topic,
      partition: Number(partition),
      current,
      logEnd,
      lag,
    }));
}

/** `topic:partition:offset` lines of GetOffsetShell. */
function parseOffsets(out: string): Map<string, string> {
  const offsets = new Map<string, string>();
  for (const line of out.trim().split('\n')) {
    const m = /^(.+):(\d+):(-?\d*)$/.exec(line.trim());
    if (m) offsets.set(`${m[1]}/${m[2]}`, m[3] ?? '');
  }
  return offsets;
}

describe("lag and offsets against Kafka's own tools, on Apache Kafka", () => {
  const { bootstrap, classpath } = inject('apacheKafka');
  const topic = uniqueName('ledger');
  const txTopic = uniqueName('ledger-tx');
  const groups = {
    keepsUp: uniqueName('keeps-up'),
    behind: uniqueName('behind'),
    stopped: uniqueName('stopped'),
    txReader: uniqueName('tx-reader'),
    reset: uniqueName('reset'),
    lost: uniqueName('lost'),
  };
  let kafka: Kafka;
  let source: KafkaSource;
  let producer: Producer;
  let txProducer: Producer;
  let openTx: Transaction | undefined;
  const running: Consumer[] = [];
  let consumedByKeepsUp = 0;

  const toPartitions = (count: number) =>
    [0, 1, 2].flatMap((partition) =>
      Array.from({ length: count }, (_, i) => ({ partition, value: `p${partition}-${i}` })),
    );

  async function committedEverywhere(groupId: string, offset: string) {
    await waitFor(async () => {
      const committed = await source.committedOffsets(groupId, [topic]);
      return committed.every((c) => c.offset === offset) ? true : undefined;
    }, 20_000);
  }

  async function activeConsumer(groupId: string) {
    const consumer = quickConsumer(kafka, groupId);
    running.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    return consumer;
  }

  beforeAll(async () => {
    kafka = testKafka(bootstrap);
    source = new KafkaSource(clusterConfig(uniqueName('reference'), bootstrap));
    await createReadyTopics(bootstrap, [
      { topic, numPartitions: 3 },
      { topic: txTopic, numPartitions: 1 },
    ]);
    const admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: toPartitions(10) });

    // Keeps up: consumes and commits everything, and stays in the group.
    const keepsUp = await activeConsumer(groups.keepsUp);
    await keepsUp.run({ eachMessage: async () => void consumedByKeepsUp++ });

    // Falls behind: a live member whose commits trail, and one partition it never committed on.
    const behind = await activeConsumer(groups.behind);
    await behind.run({ autoCommit: false, eachMessage: async () => {} });
    await waitFor(async () => {
      const group = await source.describeGroup(groups.behind);
      return group.state === 'Stable' ? true : undefined;
    });
    await behind.commitOffsets([
      { topic, partition: 0, offset: '4' },
      { topic, partition: 1, offset: '7' },
    ]);

    // Stopped: committed part of the way, then left the group (it is Empty now).
    const stopped = quickConsumer(kafka, groups.stopped);
    await stopped.connect();
    await stopped.subscribe({ topic, fromBeginning: true });
    await stopped.run({ autoCommit: false, eachMessage: async () => {} });
    await waitFor(async () =>
      (await source.describeGroup(groups.stopped)).state === 'Stable' ? true : undefined,
    );
    await stopped.commitOffsets([
      { topic, partition: 0, offset: '10' },
      { topic, partition: 1, offset: '2' },
    ]);
    await stopped.disconnect();

    await committedEverywhere(groups.keepsUp, '10');
    // Production goes on: the stopped and the trailing group fall further behind.
    await producer.send({ topic, messages: toPartitions(5) });
    await committedEverywhere(groups.keepsUp, '15');
    // Retention-like deletion moves partition 0's log start. kafkajs finds the partition's leader
    // only from metadata it already holds, so load the topic's first.
    await admin.fetchTopicMetadata({ topics: [topic] });
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '3' }] });
    // Offsets set from outside, as a reset tool would: one past the end, one below the new log start.
    await admin.setOffsets({ groupId: groups.reset, topic, partitions: [{ partition: 0, offset: '100' }] });
    await admin.setOffsets({ groupId: groups.lost, topic, partitions: [{ partition: 0, offset: '1' }] });

    // A transaction left open: the high watermark runs ahead of the last stable offset.
    await producer.send({ topic: txTopic, messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
    txProducer = kafka.producer({
      transactionalId: uniqueName('ledger-writer'),
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 60_000,
    });
    await txProducer.connect();
    openTx = await txProducer.transaction();
    await openTx.send({ topic: txTopic, messages: [{ value: 'pending-1' }, { value: 'pending-2' }] });
    await producer.send({ topic: txTopic, messages: [{ value: 'after' }] });
    const txReader = quickConsumer(kafka, groups.txReader);
    running.push(txReader);
    await txReader.connect();
    await txReader.subscribe({ topic: txTopic, fromBeginning: true });
    await txReader.run({ autoCommit: false, eachMessage: async () => {} });
    await waitFor(async () =>
      (await source.describeGroup(groups.txReader)).state === 'Stable' ? true : undefined,
    );
    await txReader.commitOffsets([{ topic: txTopic, partition: 0, offset: '3' }]);
    await admin.disconnect();
  }, 120_000);

  afterAll(async () => {
    await openTx?.abort().catch(() => {});
    await Promise.all(running.map((c) => c.disconnect()));
    await txProducer?.disconnect();
    await producer?.disconnect();
    await closeKafkaClients();
  });

  it("reports every group's lag per partition exactly as kafka-consumer-groups --describe --all-groups", async () => {
    const names = new Set(Object.values(groups));
    const [toolOut, ...adapter] = await Promise.all([
      kafkaTool(classpath, GROUP_TOOL, ['--bootstrap-server', bootstrap, '--describe', '--all-groups']),
      ...[groups.keepsUp, groups.behind, groups.stopped, groups.reset, groups.lost].map((g) =>
        source.groupLag(g, [topic]),
      ),
      source.groupLag(groups.txReader, [txTopic]),
    ]);
    const rows = parseGroupTable(toolOut, names);
    const ours = new Map<string, PartitionLag>();
    [groups.keepsUp, groups.behind, groups.stopped, groups.reset, groups.lost, groups.txReader].forEach(
      (g, i) => {
        for (const l of adapter[i] ?? []) ours.set(`${g} ${l.topic}/${l.partition}`, l);
      },
    );

    // Every row the tool prints agrees with the adapter, '-' being "no committed offset".
    expect(rows.length).toBeGreaterThanOrEqual(8);
    for (const row of rows) {
      const key = `${row.group} ${row.topic}/${row.partition}`;
      const mine = ours.get(key);
      expect(mine, key).toBeDefined();
      expect({ committed: mine?.committed ?? '-', high: mine?.high, lag: mine?.lag ?? '-' }, key).toEqual({
        committed: row.current,
        high: row.logEnd,
        lag: row.lag === '-' ? '-' : Number(row.lag),
      });
    }
    // The tool leaves out partitions an Empty group has no offset on; the adapter says "no offset" there.
    const printed = new Set(rows.map((r) => `${r.group} ${r.topic}/${r.partition}`));
    const unprinted = [...ours].filter(([key]) => !printed.has(key));
    expect(unprinted.map(([key, l]) => [key, l.committed, l.lag])).toEqual([
      [`${groups.stopped} ${topic}/2`, null, null],
      [`${groups.reset} ${topic}/1`, null, null],
      [`${groups.reset} ${topic}/2`, null, null],
      [`${groups.lost} ${topic}/1`, null, null],
      [`${groups.lost} ${topic}/2`, null, null],
    ]);

    // The scenario really has each kind of group in it.
    const lagOf = (g: string, p: number) => ours.get(`${g} ${topic}/${p}`)?.lag;
    expect([0, 1, 2].map((p) => lagOf(groups.keepsUp, p))).toEqual([0, 0, 0]);
    expect([0, 1, 2].map((p) => lagOf(groups.behind, p))).toEqual([11, 8, null]);
    expect([0, 1, 2].map((p) => lagOf(groups.stopped, p))).toEqual([5, 13, null]);
    expect(rows.find((r) => r.group === groups.behind && r.partition === 2)).toMatchObject({
      current: '-',
      lag: '-',
    });
    expect(consumedByKeepsUp).toBe(45);
  });

  it('flags a commit past the end and one below the log start instead of clamping them', async () => {
    const [reset] = await source.groupLag(groups.reset, [topic]);
    expect(reset).toMatchObject({
      partition: 0,
      committed: '100',
      high: '15',
      state: 'beyond_end',
      lag: -85,
    });
    const [lost] = await source.groupLag(groups.lost, [topic]);
    // Retention (here DeleteRecords) removed offsets 1 and 2 before the group read them.
    expect(lost).toMatchObject({
      partition: 0,
      committed: '1',
      low: '3',
      state: 'below_start',
      lag: 14,
      skipped: 2,
    });
  });

  it('measures lag against the high watermark and reports the last stable offset of an open transaction', async () => {
    const [lag] = await source.groupLag(groups.txReader, [txTopic]);
    // 3 plain, 2 in the open transaction, 1 plain after: the transaction pins the stable offset at 3.
    expect(lag).toEqual({
      topic: txTopic,
      partition: 0,
      committed: '3',
      low: '0',
      high: '6',
      stable: '3',
      state: 'ok',
      lag: 3,
      pendingTransactional: 3,
      skipped: 0,
    });
  });

  it('reads the log start and end offsets GetOffsetShell reads, and the partition counts of kafka-topics', async () => {
    const partitions = `${topic},${txTopic}`;
    const [latest, earliest, described, offsets, topics] = await Promise.all([
      kafkaTool(classpath, OFFSET_TOOL, ['--bootstrap-server', bootstrap, '--topic-partitions', partitions]),
      kafkaTool(classpath, OFFSET_TOOL, [
        '--bootstrap-server',
        bootstrap,
        '--topic-partitions',
        partitions,
        '--time',
        '-2',
      ]),
      kafkaTool(classpath, TOPIC_TOOL, [
        '--bootstrap-server',
        bootstrap,
        '--describe',
        '--topic',
        `${topic}|${txTopic}`,
      ]),
      source.partitionOffsets([topic, txTopic]),
      source.listTopics(),
    ]);
    const high = parseOffsets(latest);
    const low = parseOffsets(earliest);
    expect(offsets.map((o) => [`${o.topic}/${o.partition}`, o.low, o.high])).toEqual(
      [...high.keys()].sort().map((key) => [key, low.get(key), high.get(key)]),
    );
    expect(offsets.find((o) => o.topic === topic && o.partition === 0)).toMatchObject({
      low: '3',
      high: '15',
    });

    const counts = new Map(
      [...described.matchAll(/^Topic: (\S+)\s+TopicId: \S+\s+PartitionCount: (\d+)/gm)].map((m) => [
        m[1],
        Number(m[2]),
      ]),
    );
    expect(counts).toEqual(
      new Map([
        [topic, 3],
        [txTopic, 1],
      ]),
    );
    for (const [name, count] of counts) {
      expect(topics).toContainEqual({ name, partitions: count, internal: false });
    }
  });
});
