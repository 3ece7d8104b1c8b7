import { expect, vi } from 'vitest';
import { GroupCoordinator } from '@/scripts/peers/kafka-broker/group-coordinator';
import type {
  GroupCoordinatorOptions,
  JoinGroupInput,
  JoinGroupResult,
} from '@/scripts/peers/kafka-broker/group-types';

export const SESSION_MS = 10_000;
export const REBALANCE_MS = 60_000;
export const meta = (text: string) => Buffer.from(text);

export function joinInput(overrides: Partial<JoinGroupInput> = {}): JoinGroupInput {
  return {
    groupId: 'orders',
    sessionTimeoutMs: SESSION_MS,
    rebalanceTimeoutMs: REBALANCE_MS,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'roundrobin', metadata: meta('sub-a') }],
    clientId: 'app-a',
    clientHost: '/127.0.0.1',
    requireKnownMemberId: false,
    ...overrides,
  };
}

/** Lets timers due within `ms` fire and promise callbacks run (fake timers). */
export const advance = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

/** Tracks whether a promise has settled, to assert that a request is still waiting. */
export function track<T>(promise: Promise<T>): { done: () => boolean; promise: Promise<T> } {
  let settled = false;
  void promise.then(() => {
    settled = true;
  });
  return { done: () => settled, promise };
}

/** A coordinator for group `orders` with shortcuts to reach common states; no initial delay by default. */
export function groupHarness(options: GroupCoordinatorOptions = {}) {
  const coordinator = new GroupCoordinator({ initialRebalanceDelayMs: 0, ...options });

  async function joinAlone(input: JoinGroupInput): Promise<JoinGroupResult> {
    const joined = coordinator.join(input);
    await advance();
    return joined;
  }

  /** One member joined and synced: Stable, generation 1. */
  async function stableSingle(overrides: Partial<JoinGroupInput> = {}): Promise<JoinGroupResult> {
    const joined = await joinAlone(joinInput(overrides));
    const synced = await coordinator.sync({
      groupId: 'orders',
      generationId: joined.generationId,
      memberId: joined.memberId,
      assignments: [{ memberId: joined.memberId, assignment: meta('assign-a') }],
    });
    expect(synced.errorCode).toBe(0);
    return joined;
  }

  /** Two members, A leading: Stable at generation 2 after B joined mid-generation. */
  async function stablePair(): Promise<{ a: JoinGroupResult; b: JoinGroupResult }> {
    const a = await stableSingle();
    const bProtocols = [{ name: 'roundrobin', metadata: meta('sub-b') }];
    const bJoin = coordinator.join(joinInput({ clientId: 'app-b', protocols: bProtocols }));
    await advance();
    const [a2, b2] = await Promise.all([coordinator.join(joinInput({ memberId: a.memberId })), bJoin]);
    const bSync = coordinator.sync({
      groupId: 'orders',
      generationId: 2,
      memberId: b2.memberId,
      assignments: [],
    });
    await coordinator.sync({
      groupId: 'orders',
      generationId: 2,
      memberId: a2.memberId,
      assignments: [
        { memberId: a2.memberId, assignment: meta('assign-a') },
        { memberId: b2.memberId, assignment: meta('assign-b') },
      ],
    });
    await bSync;
    return { a: a2, b: b2 };
  }

  const state = (groupId = 'orders') => coordinator.describeGroups([groupId])[0]?.state;
  const heartbeat = (memberId: string, generationId: number) =>
    coordinator.heartbeat({ groupId: 'orders', generationId, memberId }).errorCode;

  return { coordinator, joinAlone, stableSingle, stablePair, state, heartbeat };
}

export type GroupHarness = ReturnType<typeof groupHarness>;
