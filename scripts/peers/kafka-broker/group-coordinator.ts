import { randomUUID } from 'node:crypto';
import { commitError, fetchCommitted, metadataTooLarge, storeOffset } from './group-offsets';
import { Rebalancer } from './group-rebalance';
import {
  EMPTY_BUFFER,
  type Group,
  GroupError,
  joinError,
  joinResult,
  type Member,
  memberMetadata,
  newGroup,
  protocolsMatch,
  type SyncResult,
  supportsProtocols,
} from './group-state';
import type {
  CommitRecord,
  CommittedOffset,
  GroupCoordinatorApi,
  GroupCoordinatorOptions,
  GroupDescription,
  JoinGroupInput,
  JoinGroupResult,
  OffsetCommitInput,
  SyncGroupInput,
} from './group-types';

/** Kafka's group.initial.rebalance.delay.ms default. */
const DEFAULT_INITIAL_REBALANCE_DELAY_MS = 3000;

/** Classic-protocol consumer group coordinator: membership, rebalances and committed offsets. */
export class GroupCoordinator implements GroupCoordinatorApi {
  private readonly groups = new Map<string, Group>();
  private readonly rebalancer: Rebalancer;
  private readonly onCommit: (record: CommitRecord) => void;
  private readonly now: () => number;
  private closed = false;

  constructor(options: GroupCoordinatorOptions = {}) {
    this.now = options.now ?? (() => Date.now());
    this.onCommit = options.onCommit ?? (() => {});
    this.rebalancer = new Rebalancer(
      this.now,
      options.initialRebalanceDelayMs ?? DEFAULT_INITIAL_REBALANCE_DELAY_MS,
    );
  }

  join(input: JoinGroupInput): Promise<JoinGroupResult> {
    this.reopen();
    const existing = this.groups.get(input.groupId);
    if (existing === undefined && input.memberId !== '') {
      return Promise.resolve(joinError(input.memberId, GroupError.UNKNOWN_MEMBER_ID));
    }
    if (!supportsProtocols(existing, input.protocolType, input.protocols)) {
      return Promise.resolve(joinError(input.memberId, GroupError.INCONSISTENT_GROUP_PROTOCOL));
    }
    const group = existing ?? this.createGroup(input.groupId);
    if (input.memberId === '') return this.joinNewMember(group, input);
    if (this.rebalancer.takePending(group, input.memberId)) {
      return this.rebalancer.addMember(group, input, input.memberId);
    }
    const member = group.members.get(input.memberId);
    if (member === undefined) return Promise.resolve(joinError(input.memberId, GroupError.UNKNOWN_MEMBER_ID));
    return this.rejoin(group, member, input);
  }

  sync(input: SyncGroupInput): Promise<SyncResult> {
    this.reopen();
    const group = this.groups.get(input.groupId);
    const member = group?.members.get(input.memberId);
    if (group === undefined || member === undefined) return syncError(GroupError.UNKNOWN_MEMBER_ID);
    if (input.generationId !== group.generationId) return syncError(GroupError.ILLEGAL_GENERATION);
    if (group.state === 'PreparingRebalance') return syncError(GroupError.REBALANCE_IN_PROGRESS);
    this.rebalancer.touch(group, member);
    if (group.state === 'Stable') {
      return Promise.resolve({ errorCode: GroupError.NONE, assignment: member.assignment });
    }
    const synced = this.rebalancer.awaitSync(member);
    if (member.memberId === group.leaderId) this.rebalancer.completeSync(group, input.assignments);
    return synced;
  }

  heartbeat(input: { groupId: string; generationId: number; memberId: string }): { errorCode: number } {
    this.reopen();
    const group = this.groups.get(input.groupId);
    const member = group?.members.get(input.memberId);
    if (group === undefined || member === undefined) return { errorCode: GroupError.UNKNOWN_MEMBER_ID };
    if (input.generationId !== group.generationId) return { errorCode: GroupError.ILLEGAL_GENERATION };
    this.rebalancer.touch(group, member);
    // Tells members to rejoin; during CompletingRebalance Kafka 3 answers NONE while they sync.
    if (group.state === 'PreparingRebalance') return { errorCode: GroupError.REBALANCE_IN_PROGRESS };
    return { errorCode: GroupError.NONE };
  }

  leave(input: { groupId: string; memberIds: string[] }): {
    errorCode: number;
    members: { memberId: string; errorCode: number }[];
  } {
    this.reopen();
    const group = this.groups.get(input.groupId);
    const members = input.memberIds.map((memberId) => ({
      memberId,
      errorCode: group === undefined ? GroupError.UNKNOWN_MEMBER_ID : this.removeMember(group, memberId),
    }));
    return { errorCode: GroupError.NONE, members };
  }

  commit(input: OffsetCommitInput): { topic: string; partition: number; errorCode: number }[] {
    this.reopen();
    let group = this.groups.get(input.groupId);
    const errorCode = commitError(group, input);
    if (errorCode !== GroupError.NONE) {
      return input.offsets.map(({ topic, partition }) => ({ topic, partition, errorCode }));
    }
    // A commit from outside any group creates it, as admin tools do with setOffsets/resetOffsets.
    group ??= this.createGroup(input.groupId);
    const member = group.members.get(input.memberId);
    if (member) this.rebalancer.touch(group, member);
    const commitTimestamp = this.now();
    return input.offsets.map((offset) => {
      const { topic, partition } = offset;
      if (metadataTooLarge(offset.metadata)) {
        return { topic, partition, errorCode: GroupError.OFFSET_METADATA_TOO_LARGE };
      }
      storeOffset(group, offset);
      this.onCommit({ groupId: input.groupId, ...offset, commitTimestamp });
      return { topic, partition, errorCode: GroupError.NONE };
    });
  }

  fetchOffsets(input: {
    groupId: string;
    topics: { topic: string; partitions: number[] }[] | null;
  }): CommittedOffset[] {
    return fetchCommitted(this.groups.get(input.groupId), input.topics);
  }

  listGroups(): { groupId: string; protocolType: string; state: string }[] {
    return [...this.groups.values()]
      .filter((group) => group.state !== 'Dead')
      .map((group) => ({
        groupId: group.groupId,
        protocolType: group.protocolType ?? '',
        state: group.state,
      }));
  }

  describeGroups(groupIds: string[]): GroupDescription[] {
    return groupIds.map((groupId) => describe(groupId, this.groups.get(groupId)));
  }

  deleteGroups(groupIds: string[]): { groupId: string; errorCode: number }[] {
    return groupIds.map((groupId) => {
      const group = this.groups.get(groupId);
      if (group === undefined) return { groupId, errorCode: GroupError.GROUP_ID_NOT_FOUND };
      if (group.state !== 'Empty') return { groupId, errorCode: GroupError.NON_EMPTY_GROUP };
      this.rebalancer.suspend(group, GroupError.GROUP_ID_NOT_FOUND);
      group.state = 'Dead';
      this.groups.delete(groupId);
      return { groupId, errorCode: GroupError.NONE };
    });
  }

  forgetTopic(topic: string): void {
    for (const group of this.groups.values()) group.offsets.delete(topic);
  }

  /** Waiting joins and syncs hear NOT_COORDINATOR, as when Kafka unloads a group; members stay. */
  close(): void {
    this.closed = true;
    for (const group of this.groups.values()) this.rebalancer.suspend(group, GroupError.NOT_COORDINATOR);
  }

  /** The first request after close() restarts member sessions and any rebalance in progress. */
  private reopen(): void {
    if (!this.closed) return;
    this.closed = false;
    for (const group of this.groups.values()) this.rebalancer.resume(group);
  }

  private createGroup(groupId: string): Group {
    const group = newGroup(groupId);
    this.groups.set(groupId, group);
    return group;
  }

  private joinNewMember(group: Group, input: JoinGroupInput): Promise<JoinGroupResult> {
    const memberId = `${input.clientId}-${randomUUID()}`;
    if (input.requireKnownMemberId && input.groupInstanceId === null) {
      this.rebalancer.addPending(group, memberId, input.sessionTimeoutMs);
      return Promise.resolve(joinError(memberId, GroupError.MEMBER_ID_REQUIRED));
    }
    return this.rebalancer.addMember(group, input, memberId);
  }

  /** A known member joins again: rebalance only if something changed, as Kafka does. */
  private rejoin(group: Group, member: Member, input: JoinGroupInput): Promise<JoinGroupResult> {
    const unchanged = protocolsMatch(member, input.protocols);
    const isLeader = member.memberId === group.leaderId;
    const answersCurrent =
      (group.state === 'CompletingRebalance' && unchanged) ||
      (group.state === 'Stable' && unchanged && !isLeader);
    if (!answersCurrent) return this.rebalancer.updateMember(group, member, input);
    this.rebalancer.touch(group, member);
    return Promise.resolve(joinResult(group, member));
  }

  private removeMember(group: Group, memberId: string): number {
    if (this.rebalancer.dropPending(group, memberId)) return GroupError.NONE;
    const member = group.members.get(memberId);
    if (member === undefined) return GroupError.UNKNOWN_MEMBER_ID;
    this.rebalancer.removeMember(group, member);
    return GroupError.NONE;
  }
}

function syncError(errorCode: number): Promise<SyncResult> {
  return Promise.resolve({ errorCode, assignment: EMPTY_BUFFER });
}

/** Kafka shows metadata, assignments and the protocol only once a group is Stable. */
function describe(groupId: string, group: Group | undefined): GroupDescription {
  if (group === undefined) {
    return {
      errorCode: GroupError.NONE,
      groupId,
      state: 'Dead',
      protocolType: '',
      protocol: '',
      members: [],
    };
  }
  const stable = group.state === 'Stable';
  return {
    errorCode: GroupError.NONE,
    groupId,
    state: group.state,
    protocolType: group.protocolType ?? '',
    protocol: stable ? (group.protocol ?? '') : '',
    members: [...group.members.values()].map((member) => ({
      memberId: member.memberId,
      clientId: member.clientId,
      clientHost: member.clientHost,
      metadata: stable ? memberMetadata(member, group.protocol) : EMPTY_BUFFER,
      assignment: stable ? member.assignment : EMPTY_BUFFER,
    })),
  };
}
