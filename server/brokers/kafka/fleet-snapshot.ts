import 'server-only';
import {
  joinGroupLag,
  type LagSummary,
  type PartitionEnds,
  type PartitionLag,
  summarizeLag,
} from '@/lib/lag/group-lag';
import { byName } from '@/lib/sort';
import { matchesGlob } from '@/lib/thresholds/glob';
import type { ClusterState, TopicState } from './cluster-state';
import { readClusterState } from './cluster-state';
import { describeGroupsAt, type GroupDescriptionResult } from './group-descriptions';
import {
  fetchGroupOffsets,
  findCoordinators,
  type GroupError,
  type GroupOffsetsResult,
  requestStats,
} from './group-offsets';
import type { CommittedOffset, ConsumerGroupDescription, ConsumerGroupListing } from './types';
import type { WireCluster } from './wire';

/*
 * One cluster's consumer lag and DLQ topics in a handful of requests: Metadata and three ListOffsets
 * per leader for every partition, ListGroups, one batched FindCoordinator, and per coordinator one
 * DescribeGroups (plus ConsumerGroupDescribe for KIP-848 groups) and one OffsetFetch per 100 groups.
 * Whatever fails marks only the partition or group it touches.
 */

export interface GroupSnapshot {
  groupId: string;
  protocolType: string;
  /** null when the group could not be described. */
  description: ConsumerGroupDescription | null;
  /** One row per partition the group has committed on, or is assigned. */
  lag: PartitionLag[];
  /** Partitions of those topics whose offsets could not be read (offline, leader unreachable). */
  unreadable: { topic: string; partition: number; error: string }[];
  summary: LagSummary;
  /** The group vanished between listing and reading it. */
  gone: boolean;
  error: GroupError | null;
}

export interface TopicSnapshot extends TopicState {
  /** The topic's name matches one of the cluster's DLQ patterns. */
  dlq: boolean;
}

export interface KafkaFleetSnapshot {
  brokers: ClusterState['brokers'];
  topics: TopicSnapshot[];
  groups: GroupSnapshot[];
  requests: { total: number; byApi: Record<string, number> };
}

export async function takeFleetSnapshot(
  wire: WireCluster,
  listGroups: () => Promise<ConsumerGroupListing[]>,
  dlqPatterns: string[],
): Promise<KafkaFleetSnapshot> {
  const stats = requestStats();
  const [state, groups] = await Promise.all([readClusterState(wire), listGroups()]);
  // kafkajs's ListGroups goes to every broker.
  stats.byApi.ListGroups = state.brokers.length;
  const ids = groups.map((g) => g.groupId);
  const coordinators = await findCoordinators(wire, ids, stats);
  const [descriptions, offsets] = await Promise.all([
    describeGroupsAt(wire, coordinators, stats),
    fetchGroupOffsets(wire, ids, stats, coordinators),
  ]);
  const ends = new Map(state.topics.map((t) => [t.name, topicEnds(t)]));
  return {
    brokers: state.brokers,
    topics: state.topics.map((t) => ({ ...t, dlq: dlqPatterns.some((p) => matchesGlob(p, t.name)) })),
    groups: groups
      .map((g) => groupSnapshot(g, descriptions.get(g.groupId), offsets.get(g.groupId), ends))
      .sort((a, b) => byName(a.groupId, b.groupId)),
    requests: {
      total: state.requests + stats.requests + state.brokers.length,
      byApi: { Metadata: 1, ListOffsets: state.requests - 1, ...stats.byApi },
    },
  };
}

/** A topic's readable partition ends and its unreadable partitions, worked out once for every group reading it. */
interface TopicEnds {
  ends: PartitionEnds[];
  unreadable: GroupSnapshot['unreadable'];
}

function topicEnds(topic: TopicState): TopicEnds {
  const ends: PartitionEnds[] = [];
  const unreadable: GroupSnapshot['unreadable'] = [];
  for (const p of topic.partitions) {
    if (p.low !== null && p.high !== null && p.stable !== null) {
      ends.push({ topic: topic.name, partition: p.partition, low: p.low, high: p.high, stable: p.stable });
    }
    if (p.error) unreadable.push({ topic: topic.name, partition: p.partition, error: p.error });
  }
  return { ends, unreadable };
}

/** The topics a group has committed on or is assigned, in first-seen order. */
function topicsOf(commits: CommittedOffset[], description: ConsumerGroupDescription | null): Set<string> {
  const names = new Set<string>();
  for (const c of commits) names.add(c.topic);
  for (const m of description?.members ?? []) for (const a of m.assignments) names.add(a.topic);
  return names;
}

function groupSnapshot(
  listing: ConsumerGroupListing,
  described: GroupDescriptionResult | undefined,
  offsets: GroupOffsetsResult | undefined,
  topics: Map<string, TopicEnds>,
): GroupSnapshot {
  const description = described?.ok ? described.group : null;
  const commits = offsets?.ok ? offsets.offsets : [];
  const read = [...topicsOf(commits, description)].flatMap((name) => topics.get(name) ?? []);
  // Most groups read one topic: its ends as they are, since joinGroupLag only reads them.
  const ends = read.length === 1 ? (read[0]?.ends ?? []) : read.flatMap((t) => t.ends);
  const lag = joinGroupLag(ends, commits);
  const error =
    (described && !described.ok && !described.gone ? described.error : null) ??
    (offsets && !offsets.ok ? offsets.error : null);
  return {
    groupId: listing.groupId,
    protocolType: listing.protocolType,
    description,
    lag,
    unreadable: read.flatMap((t) => t.unreadable),
    summary: summarizeLag(lag),
    gone: Boolean(described && !described.ok && described.gone),
    error,
  };
}
