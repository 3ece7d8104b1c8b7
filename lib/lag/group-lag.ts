import { byName } from '@/lib/sort';
import { type OffsetState, partitionLag } from './partition-lag';

/** Where a partition's log stands: log start, high watermark, last stable offset. */
export interface PartitionEnds {
  topic: string;
  partition: number;
  low: string;
  high: string;
  stable: string;
}

export interface GroupCommit {
  topic: string;
  partition: number;
  /** null when the group never committed here. */
  offset: string | null;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  committed: string | null;
  low: string;
  high: string;
  stable: string;
  state: OffsetState;
  /** high − committed, unclamped; null without a commit. */
  lag: number | null;
  pendingTransactional: number;
  skipped: number;
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/**
 * One row per partition of `ends`, sorted by topic then partition, joined with the group's commits;
 * a partition missing from the commits has no offset.
 */
export function joinGroupLag(ends: PartitionEnds[], commits: GroupCommit[]): PartitionLag[] {
  const committed = new Map(commits.map((c) => [key(c.topic, c.partition), c.offset]));
  // Rows built field by field: object spreads here cost ten times more, and a fleet has 100,000 rows.
  return ends
    .map((e): PartitionLag => {
      const offset = committed.get(key(e.topic, e.partition)) ?? null;
      const figures = partitionLag({ low: e.low, high: e.high, stable: e.stable, committed: offset });
      return {
        topic: e.topic,
        partition: e.partition,
        committed: offset,
        low: e.low,
        high: e.high,
        stable: e.stable,
        state: figures.state,
        lag: figures.lag,
        pendingTransactional: figures.pendingTransactional,
        skipped: figures.skipped,
      };
    })
    .sort((a, b) => byName(a.topic, b.topic) || a.partition - b.partition);
}

export interface LagSummary {
  partitions: number;
  /** Sum of the positive lags: the records still to read. */
  totalLag: number;
  maxLag: number;
  /** The partition furthest behind; null when none is. */
  worst: { topic: string; partition: number; lag: number } | null;
  /** Partitions per state, so "no offset" and the flagged states are never hidden in a total. */
  states: Record<OffsetState, number>;
}

export function summarizeLag(rows: PartitionLag[]): LagSummary {
  const states: Record<OffsetState, number> = { ok: 0, no_offset: 0, beyond_end: 0, below_start: 0 };
  let totalLag = 0;
  let worst: LagSummary['worst'] = null;
  for (const r of rows) {
    states[r.state]++;
    if (r.lag === null || r.lag <= 0) continue;
    totalLag = Math.min(Number.MAX_SAFE_INTEGER, totalLag + r.lag);
    if (!worst || r.lag > worst.lag) worst = { topic: r.topic, partition: r.partition, lag: r.lag };
  }
  return { partitions: rows.length, totalLag, maxLag: worst?.lag ?? 0, worst, states };
}

/** One summary per topic, in topic order. */
export function summarizeByTopic(rows: PartitionLag[]): { topic: string; summary: LagSummary }[] {
  const byTopic = new Map<string, PartitionLag[]>();
  for (const r of rows) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r]);
  return [...byTopic]
    .sort(([a], [b]) => byName(a, b))
    .map(([topic, topicRows]) => ({ topic, summary: summarizeLag(topicRows) }));
}
