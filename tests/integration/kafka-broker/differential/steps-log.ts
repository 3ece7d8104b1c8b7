import { CompressionTypes, type Message } from 'kafkajs';
import { fetchRaw } from './fetch-answer';
import type { Names, Step } from './steps';
import { raw, type Target } from './target';

/** Chosen CreateTimes, so no timestamp in an answer is the broker's own. */
const T0 = 1_700_000_000_000;
const at = (ms: number) => String(T0 + ms);

/** One batch: a keyed record with headers, a null key, a tombstone, a repeated header key, binary bytes. */
const PLAIN: Message[] = [
  { key: 'order-1', value: 'created', headers: { trace: 't-1', retry: '0' }, timestamp: at(0) },
  { key: null, value: 'no key', timestamp: at(1) },
  { key: 'order-1', value: null, timestamp: at(2) },
  { key: 'order-2', value: 'hops', headers: { hop: ['a', 'b'] }, timestamp: at(3) },
  {
    key: Buffer.from([0xff, 0]),
    value: Buffer.from([0, 0xfe]),
    headers: { bin: Buffer.from([1]) },
    timestamp: at(4),
  },
];

const GZIPPED: Message[] = Array.from({ length: 4 }, (_, i) => ({
  key: i % 2 === 0 ? `gz-${i}` : null,
  value: i === 3 ? null : `compressed ${i} `.repeat(10),
  headers: { n: String(i) },
  timestamp: at(10 + i),
}));

/** Fetch as the product's reader sends it: read_committed, no fetch session. */
export function fetchAt(t: Target, topic: string, partition: number, offset: string) {
  return fetchRaw(t.raw, t.versions.get('Fetch') ?? 0, {
    replicaId: -1,
    maxWaitTime: 100,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 1,
    topics: [{ topic, partitions: [{ partition, fetchOffset: offset, maxBytes: 1 << 20 }] }],
  });
}

export function listOffsets(
  t: Target,
  topic: string,
  partition: number,
  timestamp: number,
  isolationLevel = 0,
) {
  return raw(t, 'ListOffsets', {
    replicaId: -1,
    isolationLevel,
    topics: [{ topic, partitions: [{ partition, timestamp }] }],
  });
}

export async function sortedMetadata(t: Target, topics: string[]) {
  const answer = (await raw(t, 'Metadata', { topics, allowAutoTopicCreation: false })) as {
    topicMetadata: { topic: string; topicErrorCode: number; partitionMetadata: { partitionId: number }[] }[];
  };
  // Kafka lists topics and partitions in no defined order.
  answer.topicMetadata.sort((a, b) => a.topic.localeCompare(b.topic));
  for (const topic of answer.topicMetadata)
    topic.partitionMetadata.sort((a, b) => a.partitionId - b.partitionId);
  return answer;
}

export const API_VERSIONS_STEP = 'ApiVersions: the version kafkajs picks for each API';

export const LOG_STEPS: Step[] = [
  {
    name: API_VERSIONS_STEP,
    run: async (t) => Object.fromEntries([...t.versions].sort(([a], [b]) => a.localeCompare(b))),
  },
  {
    name: 'CreateTopics through kafkajs',
    run: (t, n: Names) =>
      t.admin.createTopics({
        waitForLeaders: true,
        topics: [
          { topic: n.records, numPartitions: 1 },
          { topic: n.times, numPartitions: 1 },
          { topic: n.offsets, numPartitions: 3 },
          { topic: n.idle, numPartitions: 1 },
        ],
      }),
  },
  {
    name: 'CreateTopics of an existing topic through kafkajs',
    run: (t, n) => t.admin.createTopics({ topics: [{ topic: n.records }] }),
  },
  {
    name: 'CreateTopics of an existing topic, raw',
    run: (t, n) =>
      raw(t, 'CreateTopics', {
        topics: [{ topic: n.records, numPartitions: 1, replicationFactor: 1 }],
        timeout: 5000,
      }),
  },
  {
    name: 'Metadata of the created topics',
    run: (t, n) => sortedMetadata(t, [n.records, n.times, n.offsets, n.idle]),
  },
  {
    name: 'Produce keys, null keys, tombstones and headers through kafkajs',
    run: (t, n) => t.producer.send({ topic: n.records, messages: PLAIN }),
  },
  {
    name: 'Produce a gzip batch through kafkajs',
    run: (t, n) =>
      t.producer.send({ topic: n.records, compression: CompressionTypes.GZIP, messages: GZIPPED }),
  },
  {
    // The broker answers whole batches; skipping offsets 0 and 1 is the client's job.
    name: 'Fetch from the middle of the plain batch',
    run: (t, n) => fetchAt(t, n.records, 0, '2'),
  },
  {
    name: 'Fetch from the middle of the gzip batch',
    run: (t, n) => fetchAt(t, n.records, 0, '7'),
  },
  {
    name: 'Produce records with chosen CreateTimes in two batches',
    run: async (t, n) => [
      await t.producer.send({
        topic: n.times,
        messages: [0, 1000, 2000].map((ms) => ({ value: `at ${ms}`, timestamp: at(ms) })),
      }),
      await t.producer.send({ topic: n.times, messages: [{ value: 'at 3000', timestamp: at(3000) }] }),
    ],
  },
  {
    name: 'ListOffsets by timestamp: latest, earliest, between records, exact, after the last',
    run: async (t, n) => {
      const asked = {
        latest: -1,
        earliest: -2,
        between: T0 + 500,
        exact: T0 + 2000,
        batch2: T0 + 2500,
        after: T0 + 9999,
      };
      const answers: Record<string, unknown> = {};
      // One request each: Kafka refuses a partition listed twice in one ListOffsets.
      for (const [label, ts] of Object.entries(asked)) answers[label] = await listOffsets(t, n.times, 0, ts);
      answers.latestReadCommitted = await listOffsets(t, n.times, 0, -1, 1);
      return answers;
    },
  },
  {
    name: 'kafkajs fetchTopicOffsets and fetchTopicOffsetsByTimestamp',
    run: async (t, n) => ({
      offsets: await t.admin.fetchTopicOffsets(n.times),
      between: await t.admin.fetchTopicOffsetsByTimestamp(n.times, T0 + 500),
      after: await t.admin.fetchTopicOffsetsByTimestamp(n.times, T0 + 9999),
    }),
  },
];
