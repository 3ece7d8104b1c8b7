/**
 * The seam between the broker's wire layer and its group coordinator. The wire layer decodes requests
 * into these shapes and encodes the results; the coordinator holds group state and knows no bytes.
 * Error codes are Kafka's numeric codes (0 = none, 16 NOT_COORDINATOR, 22 ILLEGAL_GENERATION,
 * 25 UNKNOWN_MEMBER_ID, 27 REBALANCE_IN_PROGRESS, 69 GROUP_ID_NOT_FOUND, 68 NON_EMPTY_GROUP, ...).
 */

export interface JoinGroupInput {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  /** Empty string for a member joining for the first time. */
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: { name: string; metadata: Buffer }[];
  clientId: string;
  clientHost: string;
  /** JoinGroup v4+ asks a new member to rejoin with the id it is given (MEMBER_ID_REQUIRED, 79). */
  requireKnownMemberId: boolean;
}

export interface JoinGroupResult {
  errorCode: number;
  generationId: number;
  protocolName: string;
  leaderId: string;
  memberId: string;
  /** Filled for the leader only: every member and its subscription metadata. */
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

export interface SyncGroupInput {
  groupId: string;
  generationId: number;
  memberId: string;
  /** Sent by the leader only. */
  assignments: { memberId: string; assignment: Buffer }[];
}

export interface OffsetCommitInput {
  groupId: string;
  /** -1 with an empty member id: a commit from outside the group (admin setOffsets), allowed when empty. */
  generationId: number;
  memberId: string;
  offsets: { topic: string; partition: number; offset: bigint; metadata: string | null }[];
}

export interface CommittedOffset {
  topic: string;
  partition: number;
  /** -1n when the group has no commit for the partition. */
  offset: bigint;
  metadata: string | null;
  errorCode: number;
}

export interface GroupDescription {
  errorCode: number;
  groupId: string;
  /** Kafka's names: Empty, PreparingRebalance, CompletingRebalance, Stable, Dead. */
  state: string;
  protocolType: string;
  protocol: string;
  members: { memberId: string; clientId: string; clientHost: string; metadata: Buffer; assignment: Buffer }[];
}

export interface CommitRecord {
  groupId: string;
  topic: string;
  partition: number;
  offset: bigint;
  metadata: string | null;
  commitTimestamp: number;
}

export interface GroupCoordinatorApi {
  /** Resolves when the rebalance this join takes part in completes (or fails). */
  join(input: JoinGroupInput): Promise<JoinGroupResult>;
  /** Resolves when the leader's assignment is known for this generation. */
  sync(input: SyncGroupInput): Promise<{ errorCode: number; assignment: Buffer }>;
  heartbeat(input: { groupId: string; generationId: number; memberId: string }): { errorCode: number };
  leave(input: { groupId: string; memberIds: string[] }): {
    errorCode: number;
    members: { memberId: string; errorCode: number }[];
  };
  commit(input: OffsetCommitInput): { topic: string; partition: number; errorCode: number }[];
  /** `topics` null = every partition the group has committed. */
  fetchOffsets(input: {
    groupId: string;
    topics: { topic: string; partitions: number[] }[] | null;
  }): CommittedOffset[];
  listGroups(): { groupId: string; protocolType: string; state: string }[];
  describeGroups(groupIds: string[]): GroupDescription[];
  deleteGroups(groupIds: string[]): { groupId: string; errorCode: number }[];
  /** Topic deleted: drop its committed offsets. */
  forgetTopic(topic: string): void;
  /** Clear timers (broker stop). State is kept so a restart on the same port keeps groups and offsets. */
  close(): void;
}

export interface GroupCoordinatorOptions {
  /** Called after every successful commit so the broker can append it to __consumer_offsets. */
  onCommit?: (record: CommitRecord) => void;
  /** Kafka's group.initial.rebalance.delay.ms: how long the first join of an empty group waits for more. */
  initialRebalanceDelayMs?: number;
  now?: () => number;
}
