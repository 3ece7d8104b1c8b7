/*
 * Status of a consumer group over a sliding window of lag samples, after Burrow's evaluator
 * (linkedin/Burrow, core/internal/evaluator). Where we differ, and why:
 * - Burrow's window is the group's last commits, each with its commit time. Ours is what the sampler saw
 *   (committed offset and high watermark at sample time): OffsetFetch gives no commit times, so STOP
 *   rests on group membership, and on the last commit time only when the source knows it.
 * - Burrow's STALL needs commits seen to arrive with the same offset. We cannot see a commit that
 *   repeats an offset, so an unchanged offset with members present is STALL.
 * - Burrow's WARN is "lag never fell", so a flat window warns. Ours also needs a net rise: a steady
 *   backlog worked off as fast as it grows is OK.
 * - Burrow checks only the first rewind; we compare the last offset with the window's highest, so a
 *   second rewind is not hidden by the recovery from the first.
 * - Burrow drops leading commit-less entries and asks for a share of the window filled; we keep the run
 *   after the last missing commit (offsets deleted start a new history) and need two samples in it.
 * - No allowed-lag tolerance: sizing lag is the thresholds' job (lib/thresholds), not the status's.
 * - Burrow folds STOP, STALL and REWIND into ERR for a group; we keep the partition's status so the
 *   UI can say what is wrong, and add EMPTY and DEAD from the group's membership.
 */

export type LagStatus = 'NO_DATA' | 'DEAD' | 'EMPTY' | 'OK' | 'WARN' | 'REWIND' | 'STALL' | 'STOP';

/**
 * Least to most severe. States that ask nothing of on-call rank below OK, so a partition without data
 * never hides a healthy group. STOP is worst (nothing is consuming), then STALL (consumers stuck),
 * then REWIND (records are read again, but read). Burrow's constants rank them the other way round.
 */
export const LAG_STATUS_SEVERITY: readonly LagStatus[] = [
  'NO_DATA',
  'DEAD',
  'EMPTY',
  'OK',
  'WARN',
  'REWIND',
  'STALL',
  'STOP',
];

/** One look at a partition: sample time (ms), committed offset and high watermark (int64 decimals), lag. */
export interface LagSample {
  at: number;
  committed: string | null;
  high: string;
  lag: number | null;
}

export interface PartitionWindow {
  topic: string;
  partition: number;
  /** Oldest first. */
  samples: LagSample[];
  /** When the group last committed here (ms), if the source knows it (e.g. read from __consumer_offsets). */
  lastCommitAt?: number;
}

export interface GroupWindow {
  /** False once the cluster reports the group dead or unknown. */
  exists: boolean;
  members: number;
  partitions: PartitionWindow[];
}

export interface StatusVerdict {
  status: LagStatus;
  /** Plain words for the UI. */
  reason: string;
}

export interface PartitionStatus extends StatusVerdict {
  topic: string;
  partition: number;
  /** Lag at the latest sample; null without a commit. */
  lag: number | null;
}

export interface GroupStatus extends StatusVerdict {
  partitions: PartitionStatus[];
}

type Sample = LagSample & { committed: string; lag: number };

interface Window {
  samples: Sample[];
  first: Sample;
  last: Sample;
  hasMembers: boolean;
  lastCommitAt?: number;
}

type Rule = (w: Window) => StatusVerdict | null;

const hasCommit = (s: LagSample): s is Sample => s.committed !== null && s.lag !== null;

/*
 * Per partition, over the samples with a committed offset; the first rule that holds decides:
 * 1. NO_DATA  fewer than 2 samples.
 * 2. OK       lag ≤ 0 at the latest sample (caught up, or committed past the end of the log).
 * 3. REWIND   the latest committed offset is below the window's highest: it went back and has not recovered.
 * 4. OK       lag ≤ 0 at some sample: the group kept up at some point in the window.
 * 5. STOP     offset unchanged, lag > 0, and no members or a last commit older than the window.
 * 6. STALL    offset unchanged, lag > 0, members present.
 * 7. WARN     offset moving, lag never fell from one sample to the next and ended higher.
 * 8. OK       offset moving, lag not rising.
 * Per group: DEAD when gone, EMPTY with no members and nothing behind, else the worst partition.
 */
const RULES: Rule[] = [caughtUp, rewound, reachedZero, stopped, stalled, fallingBehind];

export function partitionStatus(window: PartitionWindow, hasMembers: boolean): StatusVerdict {
  // A missing commit mid-window means the offsets were deleted: only the run after it is this history.
  const gap = window.samples.findLastIndex((s) => !hasCommit(s));
  const samples = window.samples.slice(gap + 1).filter(hasCommit);
  const [first, last] = [samples[0], samples.at(-1)];
  if (!first || !last || samples.length < 2) return noData(window.samples.length, samples.length);
  const w: Window = { samples, first, last, hasMembers, lastCommitAt: window.lastCommitAt };
  for (const rule of RULES) {
    const verdict = rule(w);
    if (verdict) return verdict;
  }
  return { status: 'OK', reason: `committed offset moving, lag ${first.lag} → ${last.lag}` };
}

function noData(taken: number, withCommit: number): StatusVerdict {
  if (taken > 0 && withCommit === 0)
    return { status: 'NO_DATA', reason: 'the group has no committed offset on this partition' };
  const count = withCommit === 1 ? '1 sample' : `${withCommit} samples`;
  return { status: 'NO_DATA', reason: `${count} with a committed offset so far; a status needs 2` };
}

/** Nothing behind now, whatever happened earlier in the window (Burrow's gate too). */
function caughtUp({ last }: Window): StatusVerdict | null {
  if (last.lag > 0) return null;
  if (last.lag === 0) return { status: 'OK', reason: 'caught up: lag 0' };
  return { status: 'OK', reason: `nothing behind: committed ${-last.lag} past the end of the log` };
}

/** Checked before reachedZero: a group at zero lag that rewinds to the start is news (as in Burrow). */
function rewound({ samples, last }: Window): StatusVerdict | null {
  const top = samples.reduce((a, s) => (BigInt(s.committed) > BigInt(a.committed) ? s : a));
  if (BigInt(last.committed) >= BigInt(top.committed)) return null;
  const after = samples.slice(samples.indexOf(top));
  const low = after.reduce((a, s) => (BigInt(s.committed) < BigInt(a.committed) ? s : a));
  const now = low === last ? '' : `, now ${last.committed}`;
  return {
    status: 'REWIND',
    reason: `committed offset went back from ${top.committed} to ${low.committed}${now}`,
  };
}

function reachedZero({ samples, last }: Window): StatusVerdict | null {
  const at = samples.findIndex((s) => s.lag <= 0);
  if (at < 0) return null;
  const reason = `caught up in sample ${at + 1} of ${samples.length}, lag ${last.lag} now`;
  return { status: 'OK', reason };
}

const unchanged = ({ samples, first }: Window) =>
  samples.every((s) => BigInt(s.committed) === BigInt(first.committed));

/** A group without members whose offset moves (a consumer using assign()) falls through to the rules after. */
function stopped(w: Window): StatusVerdict | null {
  if (!unchanged(w)) return null;
  const { first, last, samples, lastCommitAt } = w;
  const where = `committed offset ${last.committed}, lag ${last.lag}`;
  if (!w.hasMembers)
    return { status: 'STOP', reason: `no members; ${where}, unchanged over ${samples.length} samples` };
  if (lastCommitAt === undefined || lastCommitAt >= first.at) return null;
  const since = Math.round((last.at - lastCommitAt) / 1000);
  const span = Math.round((last.at - first.at) / 1000);
  return { status: 'STOP', reason: `last commit ${since} s ago, before the ${span} s window; ${where}` };
}

/** With the offset fixed the lag can only fall if the log was truncated, which unsticks nobody. */
function stalled(w: Window): StatusVerdict | null {
  if (!unchanged(w)) return null;
  const { first, last, samples } = w;
  const reason = `committed offset stuck at ${last.committed} over ${samples.length} samples with members present, lag ${first.lag} → ${last.lag}`;
  return { status: 'STALL', reason };
}

/** Every step: one falling step clears it, so the window length sets how patient this is. */
function fallingBehind({ samples, first, last }: Window): StatusVerdict | null {
  const steps = samples.slice(1).map((s, i) => s.lag - (samples[i]?.lag ?? s.lag));
  if (steps.some((d) => d < 0) || last.lag <= first.lag) return null;
  const how = steps.every((d) => d > 0) ? 'rose in each' : 'never fell in any';
  return {
    status: 'WARN',
    reason: `lag ${how} of the last ${samples.length} samples, ${first.lag} → ${last.lag}`,
  };
}

const severity = (s: LagStatus) => LAG_STATUS_SEVERITY.indexOf(s);

export function groupStatus(group: GroupWindow): GroupStatus {
  if (!group.exists) return { status: 'DEAD', reason: 'the group no longer exists', partitions: [] };
  const partitions = group.partitions.map((p) => ({
    topic: p.topic,
    partition: p.partition,
    lag: p.samples.at(-1)?.lag ?? null,
    ...partitionStatus(p, group.members > 0),
  }));
  if (group.members === 0 && partitions.every((p) => p.lag === null || p.lag <= 0))
    return { status: 'EMPTY', reason: 'no members and nothing behind', partitions };
  const worst = partitions.reduce<PartitionStatus | undefined>(
    (a, p) => (!a || worse(p, a) ? p : a),
    undefined,
  );
  if (!worst) return { status: 'NO_DATA', reason: 'no partitions sampled', partitions };
  const others = partitions.filter((p) => p !== worst && p.status === worst.status).length;
  const more = others > 0 ? ` (and ${others} more partition${others === 1 ? '' : 's'} ${worst.status})` : '';
  const reason = `${worst.topic} partition ${worst.partition}: ${worst.reason}${more}`;
  return { status: worst.status, reason, partitions };
}

/** More severe, or as severe and further behind. */
function worse(p: PartitionStatus, than: PartitionStatus): boolean {
  const d = severity(p.status) - severity(than.status);
  return d > 0 || (d === 0 && (p.lag ?? 0) > (than.lag ?? 0));
}

/**
 * How a status weighs beside the thresholds (the worse of the two is the group's level): nothing
 * consuming, or consumers stuck, is critical whatever the size of the lag (Burrow's ERR); lag rising
 * or offsets going back are warnings. The other statuses leave the level to the thresholds.
 */
export const STATUS_LEVEL: Partial<Record<LagStatus, 'warn' | 'critical'>> = {
  STOP: 'critical',
  STALL: 'critical',
  REWIND: 'warn',
  WARN: 'warn',
};
