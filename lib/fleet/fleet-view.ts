import type { LagStatus } from '@/lib/lag/lag-status';
import type { OffsetState } from '@/lib/lag/partition-lag';
import type { TimeToClear } from '@/lib/lag/time-to-clear';
import type { Level, Metric } from '@/lib/thresholds/metrics';

/*
 * What the fleet pages, the metrics endpoint and the alerts read: the worker's latest judgement of
 * every consumer group and DLQ, built from one fleet snapshot and the sampled history before it.
 * Plain JSON all the way down (no Infinity, no bigint, no Date), so it is stored and served as is.
 */

export type BrokerKind = 'kafka' | 'sqs';

/** How a time-lag figure was obtained; the UI names it beside the figure. */
export type TimeLagMethod =
  /** From the history of (end offset, time) samples: when the log end passed the committed offset. */
  | 'interpolated'
  /** From the timestamp of the record at the committed offset (history too short). */
  | 'record-timestamp'
  /** The group is at the end: nothing to be behind on. */
  | 'caught-up';

export interface TimeLag {
  seconds: number;
  method: TimeLagMethod;
}

/** A threshold judgement with the moment it began: "critical since 03:12". */
export interface Judgement {
  level: Level;
  /** For the UI: "critical: DLQ depth 3 > 0 (default for DLQs)". */
  reason: string;
  /** The threshold figure that set the level (what a sparkline draws); null when the lag status or nothing set it. */
  metric: Metric | null;
  /** ISO time the subject entered this level (first snapshot at it), null when never seen otherwise. */
  since: string | null;
}

export interface SourceView {
  kind: BrokerKind;
  /** Cluster or account name from the config. */
  name: string;
  /** The last read succeeded. */
  ok: boolean;
  /** Plain words when the last read failed; the rows keep the last good data. */
  error: string | null;
  /** When this source was last read successfully (ISO), null if never. */
  lastGoodAt: string | null;
  /** When the last attempt was made (ISO). */
  lastTriedAt: string;
  durationMs: number;
}

export interface PartitionView {
  topic: string;
  partition: number;
  committed: string | null;
  low: string | null;
  high: string | null;
  stable: string | null;
  state: OffsetState | 'unreadable';
  /** high − committed, unclamped; null without a commit or offsets. */
  lag: number | null;
  /** Records between the last stable offset and the high watermark: a transaction left open. */
  pendingTransactional: number;
  /** Records below the log start the group never read (retention deleted them). */
  skipped: number;
  timeLag: TimeLag | null;
  status: LagStatus;
  statusReason: string;
  /** The partition's error when its offsets could not be read. */
  error: string | null;
}

export interface MemberView {
  memberId: string;
  clientId: string;
  host: string;
  assignments: { topic: string; partitions: number[] }[];
}

/** Stable across snapshots; used in URLs and as the key of history series and alert subjects. */
export type SubjectId = string;

export interface GroupView {
  id: SubjectId;
  cluster: string;
  groupId: string;
  /** `classic` or `consumer` (KIP-848); null when the group could not be described. */
  groupProtocol: 'classic' | 'consumer' | null;
  /** Broker-reported state: Stable, Empty, Dead, PreparingRebalance, ... */
  state: string | null;
  members: MemberView[];
  topics: string[];
  /** Totals over partitions with a commit. */
  offsetLag: number;
  maxLag: number;
  worstPartition: { topic: string; partition: number; lag: number } | null;
  /** The worst partition's time lag. */
  timeLag: TimeLag | null;
  /** Records per second over the history window; null until two samples exist. */
  consumedPerSecond: number | null;
  producedPerSecond: number | null;
  timeToClear: TimeToClear;
  status: LagStatus;
  statusReason: string;
  judgement: Judgement;
  /** Partitions with a commit beyond the end or below the log start, or with an open transaction. */
  flags: { beyondEnd: number; belowStart: number; openTransactions: number; unreadable: number };
  partitions: PartitionView[];
  /** The group vanished between listing and reading it. */
  gone: boolean;
  error: string | null;
}

export interface DlqView {
  id: SubjectId;
  kind: BrokerKind;
  /** Cluster or account. */
  source: string;
  /** Topic or queue name. */
  name: string;
  /** Messages waiting; null when unreadable. */
  depth: number | null;
  /** How depth was counted, for the UI: "end − start offset (retention)", "visible + in flight". */
  depthMethod: string;
  /** SQS: visible / in flight / delayed. */
  sqsDepth: { visible: number; inFlight: number; delayed: number } | null;
  oldestAgeSeconds: number | null;
  /** Why the oldest age is missing or a lower bound, in plain words. */
  oldestAgeNote: string | null;
  /** Queues or topics that dead-letter here (RedrivePolicy sources, or Spring/Connect original topics). */
  sources: string[];
  judgement: Judgement;
  error: string | null;
}

export interface FleetView {
  /** When the snapshot behind this view was taken (ISO). */
  takenAt: string;
  sources: SourceView[];
  groups: GroupView[];
  dlqs: DlqView[];
}

export const groupSubjectId = (cluster: string, groupId: string): SubjectId =>
  `kafka/${cluster}/group/${groupId}`;

export const dlqSubjectId = (kind: BrokerKind, source: string, name: string): SubjectId =>
  `${kind}/${source}/dlq/${name}`;

/*
 * History series names (server/history/samples.ts stores them opaquely). A group's and a DLQ's series
 * is its subject id; below it hang the group's topics and partitions. Metrics per series:
 * group and group/topic: `lag`, `time_lag` (the worst partition's); group partition: `lag`, `committed`,
 * `time_lag`;
 * topic partition: `high`; DLQ: `depth`, `oldest_age`.
 */
export const groupTopicSeries = (cluster: string, groupId: string, topic: string): string =>
  `${groupSubjectId(cluster, groupId)}/${topic}`;

export const groupPartitionSeries = (cluster: string, groupId: string, topic: string, partition: number) =>
  `${groupTopicSeries(cluster, groupId, topic)}/${partition}`;

export const topicPartitionSeries = (cluster: string, topic: string, partition: number): string =>
  `kafka/${cluster}/topic/${topic}/${partition}`;
