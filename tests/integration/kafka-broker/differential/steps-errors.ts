import { waitFor } from '../helpers';
import type { Step } from './steps';
import { fetchAt, listOffsets, sortedMetadata } from './steps-log';
import { raw, type Target } from './target';

const WRONG_PARTITION = 99;

function produceRaw(t: Target, topic: string, partition: number) {
  return raw(t, 'Produce', {
    acks: -1,
    timeout: 5000,
    compression: 0,
    topicData: [
      {
        topic,
        partitions: [{ partition, firstSequence: 0, messages: [{ key: 'k', value: 'v', timestamp: 1 }] }],
      },
    ],
  });
}

function commitRaw(t: Target, groupId: string, topic: string, partition: number) {
  return raw(t, 'OffsetCommit', {
    groupId,
    groupGenerationId: -1,
    memberId: '',
    topics: [{ topic, partitions: [{ partition, offset: '1' }] }],
  });
}

export const ERROR_STEPS: Step[] = [
  { name: 'Metadata for an unknown topic, auto-creation off', run: (t, n) => sortedMetadata(t, [n.missing]) },
  {
    name: 'Metadata for an unknown topic, auto-creation on',
    run: (t, n) => raw(t, 'Metadata', { topics: [n.created], allowAutoTopicCreation: true }),
  },
  {
    name: 'Metadata of the auto-created topic once it has a leader',
    run: (t, n) =>
      waitFor(async () => {
        const answer = await sortedMetadata(t, [n.created]);
        return answer.topicMetadata.every((m) => m.topicErrorCode === 0) ? answer : undefined;
      }),
  },
  { name: 'Produce to an unknown topic', run: (t, n) => produceRaw(t, n.missing, 0) },
  { name: 'ListOffsets of an unknown topic', run: (t, n) => listOffsets(t, n.missing, 0, -1) },
  { name: 'Fetch of an unknown topic', run: (t, n) => fetchAt(t, n.missing, 0, '0') },
  {
    // Produce, ListOffsets and Fetch never create a topic, whatever auto.create.topics.enable says.
    name: 'Metadata for the unknown topic after those requests',
    run: (t, n) => sortedMetadata(t, [n.missing]),
  },
  {
    name: 'OffsetCommit and OffsetFetch of an unknown topic',
    run: async (t, n) => ({
      commit: await commitRaw(t, n.stray, n.missing, 0),
      fetch: await raw(t, 'OffsetFetch', {
        groupId: n.stray,
        topics: [{ topic: n.missing, partitions: [{ partition: 0 }] }],
      }),
    }),
  },
  // Nothing to answer yet: the broker holds the fetch for its max wait, then answers no records.
  { name: 'Fetch at the end of a partition', run: (t, n) => fetchAt(t, n.records, 0, '9') },
  { name: 'Fetch past the end of a partition', run: (t, n) => fetchAt(t, n.records, 0, '100') },
  {
    name: 'Partition 99 of an existing topic: Produce, ListOffsets, Fetch, OffsetCommit, OffsetFetch',
    run: async (t, n) => ({
      produce: await produceRaw(t, n.records, WRONG_PARTITION),
      listOffsets: await listOffsets(t, n.records, WRONG_PARTITION, -1),
      fetch: await fetchAt(t, n.records, WRONG_PARTITION, '0'),
      offsetCommit: await commitRaw(t, n.stray, n.records, WRONG_PARTITION),
      offsetFetch: await raw(t, 'OffsetFetch', {
        groupId: n.stray,
        topics: [{ topic: n.records, partitions: [{ partition: WRONG_PARTITION }] }],
      }),
    }),
  },
];
