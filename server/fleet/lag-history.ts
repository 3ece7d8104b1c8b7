import 'server-only';
import { groupPartitionSeries, topicPartitionSeries } from '@/lib/fleet/fleet-view';
import type { LagSample } from '@/lib/lag/lag-status';
import type { EndSample } from '@/lib/lag/time-lag';
import { readRecent } from '@/server/history/samples';
import type { Store } from '@/server/store/db';

/*
 * The recent past the worker judges each snapshot against, kept in memory by the lease holder:
 * per partition the log end over the last hours (time lag), per group partition the committed offsets
 * of the status window (status, rates). A new holder seeds it from the stored samples, so a takeover
 * keeps the history instead of starting from NO_DATA.
 */

/** Raw end samples kept before older ones are thinned to one a minute. */
const RAW_ENDS = 20;
const THIN_SPACING_MS = 60_000;
/** About three hours at one a minute: time lag beyond that falls back to the record timestamp. */
const MAX_ENDS = 200;

interface Commit {
  at: number;
  committed: string | null;
}

export interface PartitionKey {
  cluster: string;
  topic: string;
  partition: number;
}

export class LagHistory {
  private readonly ends = new Map<string, EndSample[]>();
  private readonly commits = new Map<string, Commit[]>();
  private readonly seededClusters = new Set<string>();

  constructor(private readonly windowSamples: number) {}

  /** The log end of a partition at `at`. */
  observeEnd(p: PartitionKey, at: number, high: string): void {
    const key = topicPartitionSeries(p.cluster, p.topic, p.partition);
    const list = this.ends.get(key) ?? [];
    if (list.at(-1)?.at === at) return;
    list.push({ at, high: Number(high) });
    this.ends.set(key, thin(list));
  }

  /** A group's committed offset on a partition at `at` (null = none). */
  observeCommit(group: string, p: PartitionKey, at: number, committed: string | null): void {
    const key = groupPartitionSeries(p.cluster, group, p.topic, p.partition);
    const list = this.commits.get(key) ?? [];
    if (list.at(-1)?.at === at) return;
    list.push({ at, committed });
    if (list.length > this.windowSamples) list.splice(0, list.length - this.windowSamples);
    this.commits.set(key, list);
  }

  endHistory(p: PartitionKey): readonly EndSample[] {
    return this.ends.get(topicPartitionSeries(p.cluster, p.topic, p.partition)) ?? [];
  }

  /** The status window of a group partition: committed offset and log end at each sample time. */
  window(group: string, p: PartitionKey): LagSample[] {
    const commits = this.commits.get(groupPartitionSeries(p.cluster, group, p.topic, p.partition)) ?? [];
    const ends = new Map(this.endHistory(p).map((e) => [e.at, e.high]));
    return commits.flatMap((c) => {
      const high = ends.get(c.at);
      if (high === undefined) return [];
      const lag = c.committed === null ? null : high - Number(c.committed);
      return [{ at: c.at, committed: c.committed, high: String(high), lag }];
    });
  }

  /** Loads a cluster's recent samples once, the first time this process judges it. */
  async seed(
    store: Store,
    cluster: string,
    groups: { groupId: string; partitions: { topic: string; partition: number }[] }[],
    nowMs: number,
    intervalMs: number,
  ): Promise<void> {
    if (this.seededClusters.has(cluster)) return;
    this.seededClusters.add(cluster);
    const topicKeys = new Map<string, PartitionKey>();
    const groupKeys = new Map<string, { group: string; p: PartitionKey }>();
    for (const g of groups) {
      for (const { topic, partition } of g.partitions) {
        const p = { cluster, topic, partition };
        topicKeys.set(topicPartitionSeries(cluster, topic, partition), p);
        groupKeys.set(groupPartitionSeries(cluster, g.groupId, topic, partition), { group: g.groupId, p });
      }
    }
    const [ends, commits] = await Promise.all([
      readRecent(store, { series: [...topicKeys.keys()], metric: 'high', sinceMs: nowMs - 3 * 3_600_000 }),
      readRecent(store, {
        series: [...groupKeys.keys()],
        metric: 'committed',
        sinceMs: nowMs - (this.windowSamples + 1) * intervalMs,
      }),
    ]);
    for (const [series, points] of ends) {
      const p = topicKeys.get(series);
      if (p) for (const point of points) this.observeEnd(p, point.at, String(point.value));
    }
    for (const [series, points] of commits) {
      const key = groupKeys.get(series);
      if (key)
        for (const point of points) this.observeCommit(key.group, key.p, point.at, String(point.value));
    }
  }
}

/** Keeps the newest RAW_ENDS samples, older ones at least a minute apart, at most MAX_ENDS in all. */
function thin(list: EndSample[]): EndSample[] {
  if (list.length <= RAW_ENDS) return list;
  const older = list.slice(0, -RAW_ENDS);
  const kept: EndSample[] = [];
  for (const s of older) {
    const last = kept.at(-1);
    if (!last || s.at - last.at >= THIN_SPACING_MS) kept.push(s);
  }
  const out = [...kept, ...list.slice(-RAW_ENDS)];
  return out.length > MAX_ENDS ? out.slice(out.length - MAX_ENDS) : out;
}
