import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CommitRecord, GroupCoordinatorOptions } from '@/scripts/peers/kafka-broker/group-types';
import {
  advance,
  type GroupHarness,
  groupHarness,
  joinInput,
  meta,
  SESSION_MS,
  track,
} from './group-coordinator-harness';

let h: GroupHarness;
const start = (options: GroupCoordinatorOptions = {}) => {
  h = groupHarness(options);
  return h.coordinator;
};

const offset = (partition: number, value: bigint, metadata: string | null = null) => ({
  topic: 'payments',
  partition,
  offset: value,
  metadata,
});

/** An outsider's commit, as admin setOffsets/resetOffsets send it. */
const adminCommit = (groupId: string, offsets: ReturnType<typeof offset>[]) =>
  h.coordinator.commit({ groupId, generationId: -1, memberId: '', offsets });

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  h.coordinator.close();
  vi.useRealTimers();
});

describe('commit and fetch offsets', () => {
  it('stores a member commit and fetches it back, -1 for partitions never committed', async () => {
    const coordinator = start();
    const a = await h.stableSingle();
    const results = coordinator.commit({
      groupId: 'orders',
      generationId: 1,
      memberId: a.memberId,
      offsets: [offset(0, 42n, 'm0'), offset(1, 7n)],
    });
    expect(results).toEqual([
      { topic: 'payments', partition: 0, errorCode: 0 },
      { topic: 'payments', partition: 1, errorCode: 0 },
    ]);
    const fetched = coordinator.fetchOffsets({
      groupId: 'orders',
      topics: [{ topic: 'payments', partitions: [0, 2] }],
    });
    expect(fetched).toEqual([
      { topic: 'payments', partition: 0, offset: 42n, metadata: 'm0', errorCode: 0 },
      { topic: 'payments', partition: 2, offset: -1n, metadata: null, errorCode: 0 },
    ]);
    expect(coordinator.fetchOffsets({ groupId: 'orders', topics: null }).map((o) => o.offset)).toEqual([
      42n,
      7n,
    ]);
  });

  it('answers -1 for every requested partition of an unknown group and nothing for all of it', () => {
    const coordinator = start();
    expect(
      coordinator.fetchOffsets({ groupId: 'nobody', topics: [{ topic: 't', partitions: [3] }] }),
    ).toEqual([{ topic: 't', partition: 3, offset: -1n, metadata: null, errorCode: 0 }]);
    expect(coordinator.fetchOffsets({ groupId: 'nobody', topics: null })).toEqual([]);
  });

  it.each([
    { name: 'a wrong generation', generation: 5, member: 'self', expected: 22 },
    { name: 'an unknown member', generation: 1, member: 'ghost', expected: 25 },
    { name: 'an outsider while the group has members', generation: -1, member: '', expected: 25 },
  ])(
    'refuses a commit from $name with $expected on every partition',
    async ({ generation, member, expected }) => {
      const coordinator = start();
      const a = await h.stableSingle();
      const memberId = member === 'self' ? a.memberId : member;
      const results = coordinator.commit({
        groupId: 'orders',
        generationId: generation,
        memberId,
        offsets: [offset(0, 1n), offset(1, 1n)],
      });
      expect(results.map((r) => r.errorCode)).toEqual([expected, expected]);
      expect(coordinator.fetchOffsets({ groupId: 'orders', topics: null })).toEqual([]);
    },
  );

  it('refuses commits of the new generation until it is synced, but takes the old one while rejoining', async () => {
    const coordinator = start();
    const a = await h.stableSingle();
    const bJoin = coordinator.join(joinInput({ clientId: 'app-b' }));
    const during = coordinator.commit({
      groupId: 'orders',
      generationId: 1,
      memberId: a.memberId,
      offsets: [offset(0, 5n)],
    });
    expect(during[0]?.errorCode).toBe(0);
    await coordinator.join(joinInput({ memberId: a.memberId }));
    await bJoin;
    expect(h.state()).toBe('CompletingRebalance');
    const early = coordinator.commit({
      groupId: 'orders',
      generationId: 2,
      memberId: a.memberId,
      offsets: [offset(0, 6n)],
    });
    expect(early[0]?.errorCode).toBe(27);
  });

  it('lets an outsider commit to an unknown group, creating it Empty', () => {
    const coordinator = start();
    expect(adminCommit('reset-me', [offset(0, 100n)])).toEqual([
      { topic: 'payments', partition: 0, errorCode: 0 },
    ]);
    expect(coordinator.listGroups()).toEqual([{ groupId: 'reset-me', protocolType: '', state: 'Empty' }]);
    expect(coordinator.fetchOffsets({ groupId: 'reset-me', topics: null })[0]?.offset).toBe(100n);
  });

  it('lets an outsider commit to a group whose members have all left', async () => {
    const coordinator = start();
    const a = await h.stableSingle();
    coordinator.leave({ groupId: 'orders', memberIds: [a.memberId] });
    expect(adminCommit('orders', [offset(0, 3n)])[0]?.errorCode).toBe(0);
    expect(coordinator.listGroups()).toEqual([
      { groupId: 'orders', protocolType: 'consumer', state: 'Empty' },
    ]);
  });

  it('refuses metadata longer than 4096 bytes with 12 for that partition only', () => {
    start();
    const results = adminCommit('g', [offset(0, 1n, 'x'.repeat(4097)), offset(1, 1n, 'ok')]);
    expect(results.map((r) => r.errorCode)).toEqual([12, 0]);
  });

  it('reports every stored commit with the commit time', () => {
    const records: CommitRecord[] = [];
    start({ onCommit: (record) => records.push(record), now: () => 1_700_000_000_000 });
    adminCommit('g', [offset(0, 9n, 'meta'), offset(1, 10n)]);
    h.coordinator.commit({ groupId: 'g2', generationId: 3, memberId: 'x', offsets: [offset(0, 1n)] });
    expect(records).toEqual([
      {
        groupId: 'g',
        topic: 'payments',
        partition: 0,
        offset: 9n,
        metadata: 'meta',
        commitTimestamp: 1_700_000_000_000,
      },
      {
        groupId: 'g',
        topic: 'payments',
        partition: 1,
        offset: 10n,
        metadata: null,
        commitTimestamp: 1_700_000_000_000,
      },
    ]);
  });

  it('forgets the offsets of a deleted topic and keeps the others', () => {
    const coordinator = start();
    coordinator.commit({
      groupId: 'g',
      generationId: -1,
      memberId: '',
      offsets: [offset(0, 1n), { topic: 'shipments', partition: 0, offset: 2n, metadata: null }],
    });
    coordinator.forgetTopic('payments');
    expect(coordinator.fetchOffsets({ groupId: 'g', topics: null })).toEqual([
      { topic: 'shipments', partition: 0, offset: 2n, metadata: null, errorCode: 0 },
    ]);
  });
});

describe('list, describe and delete groups', () => {
  it('describes a Stable group with each member and its assignment', async () => {
    const coordinator = start();
    const { a, b } = await h.stablePair();
    const [described] = coordinator.describeGroups(['orders']);
    expect(described).toEqual({
      errorCode: 0,
      groupId: 'orders',
      state: 'Stable',
      protocolType: 'consumer',
      protocol: 'roundrobin',
      members: [
        {
          memberId: a.memberId,
          clientId: 'app-a',
          clientHost: '/127.0.0.1',
          metadata: meta('sub-a'),
          assignment: meta('assign-a'),
        },
        {
          memberId: b.memberId,
          clientId: 'app-b',
          clientHost: '/127.0.0.1',
          metadata: meta('sub-b'),
          assignment: meta('assign-b'),
        },
      ],
    });
    expect(coordinator.listGroups()).toEqual([
      { groupId: 'orders', protocolType: 'consumer', state: 'Stable' },
    ]);
  });

  it('hides metadata and protocol while a group rebalances, as Kafka does', async () => {
    const coordinator = start();
    await h.joinAlone(joinInput());
    const [described] = coordinator.describeGroups(['orders']);
    expect(described?.state).toBe('CompletingRebalance');
    expect(described?.protocol).toBe('');
    expect(described?.members.map((m) => m.metadata.length)).toEqual([0]);
  });

  it('describes an unknown group as Dead without an error', () => {
    const coordinator = start();
    expect(coordinator.describeGroups(['nobody'])).toEqual([
      { errorCode: 0, groupId: 'nobody', state: 'Dead', protocolType: '', protocol: '', members: [] },
    ]);
  });

  it('deletes only known empty groups, with their offsets', async () => {
    const coordinator = start();
    await h.stableSingle();
    adminCommit('idle', [offset(0, 8n)]);
    expect(coordinator.deleteGroups(['nobody', 'orders', 'idle'])).toEqual([
      { groupId: 'nobody', errorCode: 69 },
      { groupId: 'orders', errorCode: 68 },
      { groupId: 'idle', errorCode: 0 },
    ]);
    expect(coordinator.listGroups().map((g) => g.groupId)).toEqual(['orders']);
    expect(
      coordinator.fetchOffsets({ groupId: 'idle', topics: [{ topic: 'payments', partitions: [0] }] })[0]
        ?.offset,
    ).toBe(-1n);
    expect(coordinator.deleteGroups(['idle'])).toEqual([{ groupId: 'idle', errorCode: 69 }]);
  });
});

describe('close', () => {
  it('clears every timer and answers waiting joins with NOT_COORDINATOR', async () => {
    const coordinator = start();
    await h.stablePair();
    void coordinator.join(joinInput({ groupId: 'other', requireKnownMemberId: true }));
    const waiting = coordinator.join(joinInput({ groupId: 'third' }));
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    coordinator.close();
    expect(vi.getTimerCount()).toBe(0);
    expect((await waiting).errorCode).toBe(16);
  });

  it('keeps groups and offsets, and restarts sessions on the next request', async () => {
    const coordinator = start();
    const { a, b } = await h.stablePair();
    adminCommit('idle', [offset(0, 4n)]);
    coordinator.close();
    await advance(SESSION_MS * 3);
    expect(h.state()).toBe('Stable');
    expect(h.heartbeat(a.memberId, 2)).toBe(0);
    expect(coordinator.fetchOffsets({ groupId: 'idle', topics: null })[0]?.offset).toBe(4n);
    // b never comes back after the restart: its session runs out and the group rebalances.
    for (let elapsed = 0; elapsed <= SESSION_MS; elapsed += 3_000) {
      h.heartbeat(a.memberId, 2);
      await advance(3_000);
    }
    expect(h.heartbeat(b.memberId, 2)).toBe(25);
    expect(h.heartbeat(a.memberId, 2)).toBe(27);
  });

  it('finishes a rebalance interrupted by close once the others rejoin or expire', async () => {
    const coordinator = start();
    const { a } = await h.stablePair();
    const cJoin = track(coordinator.join(joinInput({ clientId: 'app-c' })));
    coordinator.close();
    await advance();
    expect(cJoin.done()).toBe(true);
    const aJoin = track(coordinator.join(joinInput({ memberId: a.memberId })));
    await advance(SESSION_MS - 1);
    expect(aJoin.done()).toBe(false);
    await advance(1);
    expect(await aJoin.promise).toMatchObject({ errorCode: 0, generationId: 3 });
    expect((await aJoin.promise).members.map((m) => m.memberId)).toEqual([a.memberId]);
  });
});
