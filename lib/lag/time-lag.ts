/**
 * Seconds behind, from the history of a partition's log end: the record at the committed offset (the
 * next one the group will read) was written when the log end passed that offset. Between two samples
 * the end is taken to grow linearly, as Kafka Lag Exporter does.
 */
export interface EndSample {
  /** Sample time, ms since the epoch. */
  at: number;
  /** The high watermark then. */
  high: number;
}

export type HistoryTimeLag =
  | { kind: 'caught_up' }
  | { kind: 'behind'; seconds: number }
  /** The committed offset is older than the oldest sample: the history cannot say when it was written. */
  | { kind: 'before_history' };

/** `history` oldest first; `high` is the end now. */
export function timeLagFromHistory(
  committed: number,
  high: number,
  nowMs: number,
  history: readonly EndSample[],
): HistoryTimeLag {
  if (committed >= high) return { kind: 'caught_up' };
  // The newest sample at or below the committed offset, and the one after it (the end moved past it).
  let before = -1;
  for (let i = history.length - 1; i >= 0; i--) {
    if ((history[i] as EndSample).high <= committed) {
      before = i;
      break;
    }
  }
  if (before < 0) return { kind: 'before_history' };
  const from = history[before] as EndSample;
  const to = history[before + 1] ?? { at: nowMs, high };
  const span = to.high - from.high;
  const writtenAt = span > 0 ? from.at + ((committed - from.high) / span) * (to.at - from.at) : from.at;
  return { kind: 'behind', seconds: Math.max(0, (nowMs - writtenAt) / 1000) };
}

/** Seconds between a record's timestamp and now; never negative (clocks differ between hosts). */
export function timeLagFromRecord(recordTimestampMs: number, nowMs: number): number {
  return Math.max(0, (nowMs - recordTimestampMs) / 1000);
}

/** Per-second change of a counter between two readings; null when they are too close to tell. */
export function ratePerSecond(
  from: { at: number; value: number },
  to: { at: number; value: number },
): number | null {
  const seconds = (to.at - from.at) / 1000;
  if (seconds < 1) return null;
  return Math.max(0, (to.value - from.value) / seconds);
}
