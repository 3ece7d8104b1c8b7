/**
 * When a group's backlog will be gone, at its measured consumption rate against the rate records
 * arrive. The lag shrinks by (consumed − produced) records a second.
 */
export type TimeToClear =
  | { kind: 'clear' }
  | { kind: 'clears_in'; seconds: number }
  | { kind: 'not_catching_up' }
  /** Not enough history to measure the rates yet. */
  | { kind: 'unknown' };

export function timeToClear(
  lag: number,
  consumedPerSecond: number | null,
  producedPerSecond: number | null,
): TimeToClear {
  if (lag <= 0) return { kind: 'clear' };
  if (consumedPerSecond === null || producedPerSecond === null) return { kind: 'unknown' };
  const drain = consumedPerSecond - producedPerSecond;
  if (drain <= 0) return { kind: 'not_catching_up' };
  return { kind: 'clears_in', seconds: lag / drain };
}
