/*
 * Offset lag of one partition, from the figures Kafka reports: the log start offset, the high
 * watermark (the log end offset Kafka's own consumer-groups tool measures against), the last stable
 * offset, and the group's committed offset. Offsets are int64 decimal strings; the differences
 * come back as numbers, saturated at ±Number.MAX_SAFE_INTEGER.
 */

/**
 * - `ok`: the committed offset lies within the log.
 * - `no_offset`: the group never committed here; not zero lag.
 * - `beyond_end`: committed past the high watermark (an offset reset, or a topic deleted and recreated).
 * - `below_start`: committed below the log start, so retention deleted records the group never read.
 */
export type OffsetState = 'ok' | 'no_offset' | 'beyond_end' | 'below_start';

export interface PartitionPosition {
  /** Log start offset. */
  low: string;
  /** High watermark. */
  high: string;
  /** Last stable offset: below `high` while a transaction is open. */
  stable: string;
  committed: string | null;
}

export interface PartitionLagFigures {
  state: OffsetState;
  /** high − committed, unclamped (negative beyond the end); null without a commit. */
  lag: number | null;
  /** Records an open transaction holds back from read_committed consumers: high − stable. */
  pendingTransactional: number;
  /** Records deleted before the group read them: low − committed when below the start, else 0. */
  skipped: number;
}

function difference(a: string, b: string): number {
  const d = BigInt(a) - BigInt(b);
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  if (d > max) return Number.MAX_SAFE_INTEGER;
  if (d < -max) return -Number.MAX_SAFE_INTEGER;
  return Number(d);
}

export function partitionLag(p: PartitionPosition): PartitionLagFigures {
  const pendingTransactional = Math.max(0, difference(p.high, p.stable));
  if (p.committed === null) return { state: 'no_offset', lag: null, pendingTransactional, skipped: 0 };
  const lag = difference(p.high, p.committed);
  if (lag < 0) return { state: 'beyond_end', lag, pendingTransactional, skipped: 0 };
  const skipped = difference(p.low, p.committed);
  if (skipped > 0) return { state: 'below_start', lag, pendingTransactional, skipped };
  return { state: 'ok', lag, pendingTransactional, skipped: 0 };
}
