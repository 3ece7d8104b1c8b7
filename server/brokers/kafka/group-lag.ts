import 'server-only';
import type { CommittedOffset, PartitionLag, PartitionOffsets } from './types';

const partitionKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/** Offset lag of one partition: high watermark − committed, never negative; null without a commit. */
export function offsetLag(high: string, committed: string | null): number | null {
  if (committed === null) return null;
  const lag = BigInt(high) - BigInt(committed);
  if (lag <= 0n) return 0;
  return lag > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(lag);
}

/**
 * Joins log end offsets with a group's commits, one row per partition of `offsets`, sorted by
 * topic then partition. A partition the group never committed on has committed and lag null.
 */
export function computeGroupLag(offsets: PartitionOffsets[], committed: CommittedOffset[]): PartitionLag[] {
  const commits = new Map(committed.map((c) => [partitionKey(c.topic, c.partition), c.offset]));
  return offsets
    .map((o) => {
      const offset = commits.get(partitionKey(o.topic, o.partition)) ?? null;
      return {
        topic: o.topic,
        partition: o.partition,
        committed: offset,
        high: o.high,
        stable: o.stable,
        lag: offsetLag(o.high, offset),
      };
    })
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}
