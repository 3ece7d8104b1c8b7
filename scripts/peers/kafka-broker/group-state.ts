import type { JoinGroupInput, JoinGroupResult } from './group-types';

/** Kafka's numeric error codes used by the group coordinator. */
export const GroupError = {
  NONE: 0,
  OFFSET_METADATA_TOO_LARGE: 12,
  NOT_COORDINATOR: 16,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  UNKNOWN_MEMBER_ID: 25,
  REBALANCE_IN_PROGRESS: 27,
  NON_EMPTY_GROUP: 68,
  GROUP_ID_NOT_FOUND: 69,
  MEMBER_ID_REQUIRED: 79,
} as const;

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export type Timer = ReturnType<typeof setTimeout>;

export interface SyncResult {
  errorCode: number;
  assignment: Buffer;
}

export interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: { name: string; metadata: Buffer }[];
  assignment: Buffer;
  lastHeardMs: number;
  sessionTimer: Timer | null;
  /** Set while the member's JoinGroup waits for the rebalance to complete. */
  awaitingJoin: ((result: JoinGroupResult) => void) | null;
  /** Set while the member's SyncGroup waits for the leader's assignment. */
  awaitingSync: ((result: SyncResult) => void) | null;
}

export interface StoredOffset {
  topic: string;
  partition: number;
  offset: bigint;
  metadata: string | null;
}

export interface Group {
  groupId: string;
  state: GroupState;
  protocolType: string | null;
  protocol: string | null;
  generationId: number;
  leaderId: string | null;
  /** Insertion order matters: the first member becomes leader when the leader leaves. */
  members: Map<string, Member>;
  /** Ids handed out with MEMBER_ID_REQUIRED, expiring unless the member rejoins with them. */
  pending: Map<string, Timer>;
  rebalanceTimer: Timer | null;
  /** Set while the first rebalance of an empty group waits for more members to arrive. */
  initialDelay: { remainingMs: number; newMemberAdded: boolean } | null;
  offsets: Map<string, Map<number, StoredOffset>>;
}

export const EMPTY_BUFFER = Buffer.alloc(0);

export function newGroup(groupId: string): Group {
  return {
    groupId,
    state: 'Empty',
    protocolType: null,
    protocol: null,
    generationId: 0,
    leaderId: null,
    members: new Map(),
    pending: new Map(),
    rebalanceTimer: null,
    initialDelay: null,
    offsets: new Map(),
  };
}

export function newMember(input: JoinGroupInput, memberId: string, nowMs: number): Member {
  return {
    memberId,
    groupInstanceId: input.groupInstanceId,
    clientId: input.clientId,
    clientHost: input.clientHost,
    sessionTimeoutMs: input.sessionTimeoutMs,
    rebalanceTimeoutMs: input.rebalanceTimeoutMs,
    protocolType: input.protocolType,
    protocols: input.protocols,
    assignment: EMPTY_BUFFER,
    lastHeardMs: nowMs,
    sessionTimer: null,
    awaitingJoin: null,
    awaitingSync: null,
  };
}

/** Protocol names every current member supports. */
function commonProtocols(group: Group): Set<string> {
  const [first, ...rest] = [...group.members.values()].map((m) => new Set(m.protocols.map((p) => p.name)));
  const common = new Set(first);
  for (const names of rest) for (const name of common) if (!names.has(name)) common.delete(name);
  return common;
}

/** A joiner fits when its protocol type matches and it shares a protocol with everyone already in. */
export function supportsProtocols(
  group: Group | undefined,
  protocolType: string,
  protocols: { name: string }[],
): boolean {
  if (protocolType === '' || protocols.length === 0) return false;
  if (group === undefined || group.members.size === 0) return true;
  if (group.protocolType !== protocolType) return false;
  const common = commonProtocols(group);
  return protocols.some((p) => common.has(p.name));
}

/** The first protocol in the leader's preference order that every member supports. */
export function selectProtocol(group: Group): string {
  const leader = group.leaderId === null ? undefined : group.members.get(group.leaderId);
  const common = commonProtocols(group);
  const chosen = leader?.protocols.find((p) => common.has(p.name));
  return chosen?.name ?? '';
}

export function protocolsMatch(member: Member, protocols: { name: string; metadata: Buffer }[]): boolean {
  return (
    member.protocols.length === protocols.length &&
    member.protocols.every((p, i) => {
      const other = protocols[i];
      return other !== undefined && p.name === other.name && p.metadata.equals(other.metadata);
    })
  );
}

export function memberMetadata(member: Member, protocol: string | null): Buffer {
  return member.protocols.find((p) => p.name === protocol)?.metadata ?? EMPTY_BUFFER;
}

export function allMembersJoined(group: Group): boolean {
  if (group.pending.size > 0) return false;
  for (const member of group.members.values()) if (member.awaitingJoin === null) return false;
  return true;
}

export function maxRebalanceTimeoutMs(group: Group): number {
  let max = 0;
  for (const member of group.members.values()) max = Math.max(max, member.rebalanceTimeoutMs);
  return max;
}

export function joinError(memberId: string, errorCode: number): JoinGroupResult {
  return { errorCode, generationId: -1, protocolName: '', leaderId: '', memberId, members: [] };
}

/** The current generation as this member sees it; only the leader receives the member list. */
export function joinResult(group: Group, member: Member): JoinGroupResult {
  const isLeader = member.memberId === group.leaderId;
  const members = isLeader
    ? [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        metadata: memberMetadata(m, group.protocol),
      }))
    : [];
  return {
    errorCode: GroupError.NONE,
    generationId: group.generationId,
    protocolName: group.protocol ?? '',
    leaderId: group.leaderId ?? '',
    memberId: member.memberId,
    members,
  };
}
