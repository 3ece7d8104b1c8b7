import type { ConsumerGroupJoinEvent } from 'kafkajs';
import { quickConsumer, waitFor } from '../helpers';
import { type Names, ofThisRun, outcome, type Step } from './steps';
import { raw, type Target } from './target';

/** COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR: retried, as kafkajs does. */
const COORDINATOR_STARTING = new Set([14, 15, 16]);

/**
 * Kafka creates __consumer_offsets on the first FindCoordinator, then loads it: until both are done,
 * group requests answer a retriable error. The shared broker may meet its first group here.
 */
async function findCoordinator(t: Target, groupId: string): Promise<unknown> {
  const found = await waitFor(async () => {
    const answer = (await raw(t, 'GroupCoordinator', { groupId, coordinatorType: 0 })) as {
      errorCode: number;
    };
    return COORDINATOR_STARTING.has(answer.errorCode) ? undefined : answer;
  });
  await waitFor(async () => {
    const answer = (await raw(t, 'OffsetFetch', { groupId, topics: [] })) as { errorCode: number };
    return COORDINATOR_STARTING.has(answer.errorCode) ? undefined : true;
  });
  return found;
}

function offsetFetch(t: Target, groupId: string, topics: { topic: string; partitions: number[] }[]) {
  return raw(t, 'OffsetFetch', {
    groupId,
    topics: topics.map((x) => ({
      topic: x.topic,
      partitions: x.partitions.map((partition) => ({ partition })),
    })),
  });
}

async function listGroups(t: Target, n: Names) {
  const answer = (await raw(t, 'ListGroups', {})) as { errorCode: number; groups: { groupId: string }[] };
  return {
    raw: { errorCode: answer.errorCode, groups: ofThisRun(n, answer.groups) },
    kafkajs: ofThisRun(n, (await t.admin.listGroups()).groups),
  };
}

const describeRaw = (t: Target, groupIds: string[]) => raw(t, 'DescribeGroups', { groupIds });

/** A kafkajs consumer joins `n.live` on a topic nobody writes to, so it never commits anything. */
async function joinLiveMember(t: Target, n: Names): Promise<unknown> {
  const consumer = quickConsumer(t.kafka, n.live);
  t.consumers.set(n.live, consumer);
  const joined = new Promise<ConsumerGroupJoinEvent['payload']>((resolve) =>
    consumer.on(consumer.events.GROUP_JOIN, (e) => resolve(e.payload)),
  );
  await consumer.connect();
  await consumer.subscribe({ topic: n.idle, fromBeginning: true });
  await consumer.run({ eachMessage: async () => {} });
  return joined;
}

export const GROUP_STEPS: Step[] = [
  { name: 'FindCoordinator for a group', run: (t, n) => findCoordinator(t, n.ledger) },
  {
    name: 'OffsetCommit from outside any group: with metadata, with null metadata',
    run: (t, n) =>
      raw(t, 'OffsetCommit', {
        groupId: n.ledger,
        groupGenerationId: -1,
        memberId: '',
        topics: [
          {
            topic: n.offsets,
            partitions: [
              { partition: 0, offset: '3', metadata: 'checkpoint' },
              { partition: 1, offset: '1' },
            ],
          },
        ],
      }),
  },
  {
    name: 'OffsetFetch of committed and never committed partitions',
    run: (t, n) => offsetFetch(t, n.ledger, [{ topic: n.offsets, partitions: [0, 1, 2] }]),
  },
  {
    name: 'kafkajs fetchOffsets, by topic and for every committed topic',
    run: async (t, n) => ({
      byTopic: await t.admin.fetchOffsets({ groupId: n.ledger, topics: [n.offsets] }),
      all: await t.admin.fetchOffsets({ groupId: n.ledger }),
    }),
  },
  {
    name: 'OffsetFetch of a group that never existed',
    run: async (t, n) => ({
      raw: await offsetFetch(t, n.never, [{ topic: n.offsets, partitions: [0, 1, 2] }]),
      kafkajs: await t.admin.fetchOffsets({ groupId: n.never, topics: [n.offsets] }),
    }),
  },
  { name: 'ListGroups before any member joins', run: (t, n) => listGroups(t, n) },
  {
    name: 'DescribeGroups of a group with offsets and no members',
    run: (t, n) => describeRaw(t, [n.ledger]),
  },
  { name: 'A kafkajs consumer joins a group', run: (t, n) => joinLiveMember(t, n) },
  {
    name: 'DescribeGroups of a group with a live member',
    run: async (t, n) => ({
      raw: await describeRaw(t, [n.live]),
      kafkajs: await t.admin.describeGroups([n.live]),
    }),
  },
  { name: 'ListGroups with a live member', run: (t, n) => listGroups(t, n) },
  {
    name: 'DeleteGroups of a group with a live member',
    run: async (t, n) => ({
      raw: await raw(t, 'DeleteGroups', [n.live]),
      kafkajs: await outcome(t.admin.deleteGroups([n.live])),
    }),
  },
  {
    name: 'DescribeGroups after the last member left',
    run: async (t, n) => {
      await t.consumers.get(n.live)?.disconnect();
      t.consumers.delete(n.live);
      return describeRaw(t, [n.live]);
    },
  },
  {
    name: 'DeleteGroups: emptied, offsets only, never existed',
    run: async (t, n) => {
      const answer = (await raw(t, 'DeleteGroups', [n.live, n.ledger, n.never])) as {
        results: { groupId: string }[];
      };
      // Apache Kafka answers the groups in no fixed order (seen both ways); clients match them by id.
      answer.results.sort((a, b) => a.groupId.localeCompare(b.groupId));
      return answer;
    },
  },
  {
    name: 'DescribeGroups of deleted and never existing groups',
    run: async (t, n) => ({
      raw: await describeRaw(t, [n.live, n.ledger, n.never]),
      kafkajs: await outcome(t.admin.describeGroups([n.live, n.ledger, n.never])),
    }),
  },
  { name: 'ListGroups after deletion', run: (t, n) => listGroups(t, n) },
  {
    name: 'OffsetFetch of a deleted group',
    run: (t, n) => offsetFetch(t, n.ledger, [{ topic: n.offsets, partitions: [0, 1, 2] }]),
  },
];
