import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GroupCoordinator } from '@/scripts/peers/kafka-broker/group-coordinator';
import type { GroupCoordinatorOptions, JoinGroupInput } from '@/scripts/peers/kafka-broker/group-types';
import {
  advance,
  type GroupHarness,
  groupHarness,
  joinInput,
  meta,
  REBALANCE_MS,
  SESSION_MS,
  track,
} from './group-coordinator-harness';

let coordinator: GroupCoordinator;
let h: GroupHarness;

function start(options: GroupCoordinatorOptions = {}): void {
  h = groupHarness(options);
  coordinator = h.coordinator;
}

const joinAlone = (input: JoinGroupInput) => h.joinAlone(input);
const stableSingle = () => h.stableSingle();
const stablePair = () => h.stablePair();
const state = () => h.state();
const heartbeat = (memberId: string, generationId: number) => h.heartbeat(memberId, generationId);

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  coordinator.close();
  vi.useRealTimers();
});

describe('join and sync of a single member', () => {
  it('makes the first member leader of generation 1 with its own metadata', async () => {
    start();
    const joined = await joinAlone(joinInput());
    expect(joined).toMatchObject({ errorCode: 0, generationId: 1, protocolName: 'roundrobin' });
    expect(joined.memberId).toMatch(/^app-a-[0-9a-f-]{36}$/);
    expect(joined.leaderId).toBe(joined.memberId);
    expect(joined.members).toEqual([
      { memberId: joined.memberId, groupInstanceId: null, metadata: meta('sub-a') },
    ]);
    expect(state()).toBe('CompletingRebalance');
  });

  it('hands the leader its assignment and becomes Stable', async () => {
    start();
    const joined = await joinAlone(joinInput());
    const synced = await coordinator.sync({
      groupId: 'orders',
      generationId: 1,
      memberId: joined.memberId,
      assignments: [{ memberId: joined.memberId, assignment: meta('p0,p1') }],
    });
    expect(synced).toEqual({ errorCode: 0, assignment: meta('p0,p1') });
    expect(state()).toBe('Stable');
  });

  it.each([
    { name: 'current member', member: 'self', generation: 1, expected: 0 },
    { name: 'wrong generation', member: 'self', generation: 7, expected: 22 },
    { name: 'unknown member', member: 'stranger', generation: 1, expected: 25 },
  ])('answers a heartbeat from a $name with $expected', async ({ member, generation, expected }) => {
    start();
    const joined = await stableSingle();
    expect(heartbeat(member === 'self' ? joined.memberId : member, generation)).toBe(expected);
  });

  it.each([
    { name: 'an unknown member', generation: 1, stranger: true, expected: 25 },
    { name: 'a wrong generation', generation: 3, stranger: false, expected: 22 },
  ])('refuses a sync from $name with $expected', async ({ generation, stranger, expected }) => {
    start();
    const joined = await joinAlone(joinInput());
    const memberId = stranger ? 'stranger' : joined.memberId;
    const synced = await coordinator.sync({
      groupId: 'orders',
      generationId: generation,
      memberId,
      assignments: [],
    });
    expect(synced.errorCode).toBe(expected);
  });

  it('waits initialRebalanceDelayMs on an empty group and lets a later joiner extend it', async () => {
    start({ initialRebalanceDelayMs: 100 });
    const first = track(coordinator.join(joinInput()));
    await advance(60);
    const second = track(coordinator.join(joinInput({ clientId: 'app-b' })));
    await advance(60);
    expect(first.done()).toBe(false);
    await advance(100);
    const [a, b] = await Promise.all([first.promise, second.promise]);
    expect(a.generationId).toBe(1);
    expect(b.generationId).toBe(1);
    expect(a.members.map((m) => m.memberId)).toEqual([a.memberId, b.memberId]);
    expect(b.members).toEqual([]);
  });

  it('answers a follower rejoining a Stable group unchanged with the current generation', async () => {
    start();
    const { a, b } = await stablePair();
    const again = await coordinator.join(
      joinInput({ memberId: b.memberId, protocols: [{ name: 'roundrobin', metadata: meta('sub-b') }] }),
    );
    expect(again).toMatchObject({ errorCode: 0, generationId: 2, leaderId: a.memberId, members: [] });
    expect(state()).toBe('Stable');
  });
});

describe('rebalancing', () => {
  it('rebalances when a second member joins mid-generation', async () => {
    start();
    const a = await stableSingle();
    const bJoin = track(
      coordinator.join(
        joinInput({ clientId: 'app-b', protocols: [{ name: 'roundrobin', metadata: meta('sub-b') }] }),
      ),
    );
    await advance();
    expect(bJoin.done()).toBe(false);
    expect(state()).toBe('PreparingRebalance');
    expect(heartbeat(a.memberId, 1)).toBe(27);

    const [a2, b2] = await Promise.all([
      coordinator.join(joinInput({ memberId: a.memberId })),
      bJoin.promise,
    ]);
    expect(a2).toMatchObject({ errorCode: 0, generationId: 2, leaderId: a.memberId, memberId: a.memberId });
    expect(b2).toMatchObject({ errorCode: 0, generationId: 2, leaderId: a.memberId, members: [] });
    expect(a2.members).toEqual([
      { memberId: a.memberId, groupInstanceId: null, metadata: meta('sub-a') },
      { memberId: b2.memberId, groupInstanceId: null, metadata: meta('sub-b') },
    ]);

    const bSync = track(
      coordinator.sync({ groupId: 'orders', generationId: 2, memberId: b2.memberId, assignments: [] }),
    );
    await advance();
    expect(bSync.done()).toBe(false);
    const aSync = await coordinator.sync({
      groupId: 'orders',
      generationId: 2,
      memberId: a.memberId,
      assignments: [
        { memberId: a.memberId, assignment: meta('assign-a') },
        { memberId: b2.memberId, assignment: meta('assign-b') },
      ],
    });
    expect(aSync).toEqual({ errorCode: 0, assignment: meta('assign-a') });
    expect(await bSync.promise).toEqual({ errorCode: 0, assignment: meta('assign-b') });
    expect(heartbeat(b2.memberId, 2)).toBe(0);
    expect(state()).toBe('Stable');
  });

  it('refuses a sync during PreparingRebalance with 27', async () => {
    start();
    const a = await stableSingle();
    void coordinator.join(joinInput({ clientId: 'app-b' }));
    const synced = await coordinator.sync({
      groupId: 'orders',
      generationId: 1,
      memberId: a.memberId,
      assignments: [],
    });
    expect(synced.errorCode).toBe(27);
  });

  it('gives a member the leader left out an empty assignment', async () => {
    start();
    const a = await joinAlone(joinInput());
    const bJoin = coordinator.join(joinInput({ clientId: 'app-b' }));
    const a2 = await coordinator.join(joinInput({ memberId: a.memberId }));
    const b = await bJoin;
    const bSync = coordinator.sync({
      groupId: 'orders',
      generationId: a2.generationId,
      memberId: b.memberId,
      assignments: [],
    });
    await coordinator.sync({
      groupId: 'orders',
      generationId: a2.generationId,
      memberId: a.memberId,
      assignments: [],
    });
    expect(await bSync).toEqual({ errorCode: 0, assignment: Buffer.alloc(0) });
  });

  it('answers a waiting sync with 27 when a new member arrives before the leader syncs', async () => {
    start();
    const a = await joinAlone(joinInput());
    const bJoin = coordinator.join(joinInput({ clientId: 'app-b' }));
    await coordinator.join(joinInput({ memberId: a.memberId }));
    const b = await bJoin;
    const bSync = coordinator.sync({
      groupId: 'orders',
      generationId: 2,
      memberId: b.memberId,
      assignments: [],
    });
    void coordinator.join(joinInput({ clientId: 'app-c' }));
    expect(await bSync).toEqual({ errorCode: 27, assignment: Buffer.alloc(0) });
    expect(state()).toBe('PreparingRebalance');
  });

  it('drops members that do not rejoin within the rebalance timeout', async () => {
    start();
    const { a, b } = await stablePair();
    const cJoin = coordinator.join(joinInput({ clientId: 'app-c' }));
    const aJoin = coordinator.join(joinInput({ memberId: a.memberId }));
    for (let elapsed = 0; elapsed < REBALANCE_MS; elapsed += 5_000) {
      expect(heartbeat(b.memberId, 2)).toBe(27);
      await advance(5_000);
    }
    const [a3, c3] = await Promise.all([aJoin, cJoin]);
    expect(a3.generationId).toBe(3);
    expect(a3.members.map((m) => m.memberId)).toEqual([a.memberId, c3.memberId]);
    expect(heartbeat(b.memberId, 3)).toBe(25);
  });

  it('expires a silent member and rebalances the rest', async () => {
    start();
    const { a, b } = await stablePair();
    for (let elapsed = 0; elapsed <= SESSION_MS; elapsed += 3_000) {
      expect(heartbeat(b.memberId, 2)).toBe(0);
      await advance(3_000);
    }
    expect(heartbeat(b.memberId, 2)).toBe(27);
    expect(heartbeat(a.memberId, 2)).toBe(25);
    const b3 = await coordinator.join(joinInput({ memberId: b.memberId }));
    expect(b3).toMatchObject({ errorCode: 0, generationId: 3, leaderId: b.memberId });
    expect(b3.members.map((m) => m.memberId)).toEqual([b.memberId]);
  });

  it('refuses a joiner whose protocol type or protocols do not fit the group with 23', async () => {
    start();
    await stableSingle();
    const cases: Partial<JoinGroupInput>[] = [
      { protocolType: 'connect' },
      { protocols: [{ name: 'range', metadata: meta('x') }] },
      { protocols: [] },
    ];
    for (const overrides of cases) {
      expect((await coordinator.join(joinInput(overrides))).errorCode).toBe(23);
    }
    expect(state()).toBe('Stable');
  });

  it("chooses the first protocol of the leader's list that every member supports", async () => {
    start();
    const both = [
      { name: 'range', metadata: meta('r') },
      { name: 'roundrobin', metadata: meta('rr') },
    ];
    const a = await joinAlone(joinInput({ protocols: both }));
    expect(a.protocolName).toBe('range');
    const bJoin = coordinator.join(
      joinInput({ clientId: 'app-b', protocols: [{ name: 'roundrobin', metadata: meta('b') }] }),
    );
    const a2 = await coordinator.join(joinInput({ memberId: a.memberId, protocols: both }));
    await bJoin;
    expect(a2.protocolName).toBe('roundrobin');
    expect(a2.members.map((m) => m.metadata)).toEqual([meta('rr'), meta('b')]);
  });

  it('answers 25 to a known-looking member id for a group that does not exist', async () => {
    start();
    const joined = await coordinator.join(joinInput({ memberId: 'app-a-old' }));
    expect(joined.errorCode).toBe(25);
  });
});

describe('MEMBER_ID_REQUIRED', () => {
  it('hands out an id with 79 and admits the member when it rejoins with it', async () => {
    start();
    const first = await coordinator.join(joinInput({ requireKnownMemberId: true }));
    expect(first.errorCode).toBe(79);
    expect(first.memberId).toMatch(/^app-a-/);
    const second = await joinAlone(joinInput({ requireKnownMemberId: true, memberId: first.memberId }));
    expect(second).toMatchObject({
      errorCode: 0,
      generationId: 1,
      memberId: first.memberId,
      leaderId: first.memberId,
    });
  });

  it('forgets an id that is not used within the session timeout', async () => {
    start();
    const first = await coordinator.join(joinInput({ requireKnownMemberId: true }));
    await advance(SESSION_MS);
    const late = await coordinator.join(joinInput({ requireKnownMemberId: true, memberId: first.memberId }));
    expect(late.errorCode).toBe(25);
  });

  it('holds a rebalance until a member given an id comes back', async () => {
    start();
    const a = await stableSingle();
    const pending = await coordinator.join(joinInput({ clientId: 'app-b', requireKnownMemberId: true }));
    expect(state()).toBe('Stable');
    const aJoin = track(
      coordinator.join(
        joinInput({ memberId: a.memberId, protocols: [{ name: 'roundrobin', metadata: meta('changed') }] }),
      ),
    );
    await advance();
    expect(aJoin.done()).toBe(false);
    const b = await coordinator.join(
      joinInput({ clientId: 'app-b', memberId: pending.memberId, requireKnownMemberId: true }),
    );
    expect(b).toMatchObject({ errorCode: 0, generationId: 2 });
    expect((await aJoin.promise).members).toHaveLength(2);
  });
});

describe('leave', () => {
  it('rebalances the rest when one member leaves', async () => {
    start();
    const { a, b } = await stablePair();
    const left = coordinator.leave({ groupId: 'orders', memberIds: [b.memberId] });
    expect(left).toEqual({ errorCode: 0, members: [{ memberId: b.memberId, errorCode: 0 }] });
    expect(heartbeat(a.memberId, 2)).toBe(27);
    const a3 = await coordinator.join(joinInput({ memberId: a.memberId }));
    expect(a3.members.map((m) => m.memberId)).toEqual([a.memberId]);
    expect(a3.generationId).toBe(3);
  });

  it('makes the next member leader when the leader leaves', async () => {
    start();
    const { a, b } = await stablePair();
    coordinator.leave({ groupId: 'orders', memberIds: [a.memberId] });
    const b3 = await coordinator.join(joinInput({ memberId: b.memberId }));
    expect(b3.leaderId).toBe(b.memberId);
  });

  it('empties the group when every member leaves in one batch, and reports unknown ones', async () => {
    start();
    const { a, b } = await stablePair();
    const left = coordinator.leave({ groupId: 'orders', memberIds: [a.memberId, 'ghost', b.memberId] });
    expect(left.members.map((m) => m.errorCode)).toEqual([0, 25, 0]);
    expect(state()).toBe('Empty');
    expect(coordinator.describeGroups(['orders'])[0]?.members).toEqual([]);
  });

  it('answers a leave for an unknown group member by member with 25', () => {
    start();
    expect(coordinator.leave({ groupId: 'nobody', memberIds: ['x'] })).toEqual({
      errorCode: 0,
      members: [{ memberId: 'x', errorCode: 25 }],
    });
  });
});
