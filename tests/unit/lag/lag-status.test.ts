import { describe, expect, it } from 'vitest';
import {
  type GroupWindow,
  groupStatus,
  type LagSample,
  type LagStatus,
  type PartitionWindow,
  partitionStatus,
} from '@/lib/lag/lag-status';
import { partitionLag } from '@/lib/lag/partition-lag';

const T0 = 1_750_000_000_000;
const STEP = 30_000;

type Point = [committed: string | number | null, high: string | number];

/** A recorded window: samples 30 s apart, lag figured as the sampler figures it. */
function recorded(...points: Point[]): LagSample[] {
  return points.map(([c, h], i) => {
    const committed = c === null ? null : String(c);
    const high = String(h);
    return {
      at: T0 + i * STEP,
      committed,
      high,
      lag: partitionLag({ low: '0', high, stable: high, committed }).lag,
    };
  });
}

const window = (samples: LagSample[], extra: Partial<PartitionWindow> = {}): PartitionWindow => ({
  topic: 'orders',
  partition: 0,
  samples,
  ...extra,
});

const BIG = '9223372036854775000';

describe('partitionStatus', () => {
  it.each([
    {
      name: 'an empty window',
      samples: [],
      status: 'NO_DATA',
      reason: '0 samples with a committed offset so far',
    },
    { name: 'a window of 1 sample', samples: recorded([0, 10]), status: 'NO_DATA', reason: /^1 sample/ },
    {
      name: 'a partition the group never committed on',
      samples: recorded([null, 10], [null, 20], [null, 30]),
      status: 'NO_DATA',
      reason: 'the group has no committed offset on this partition',
    },
    { name: 'lag 0 now', samples: recorded([90, 100], [100, 100]), status: 'OK', reason: 'caught up: lag 0' },
    {
      name: 'a committed offset beyond the end (negative lag)',
      samples: recorded([120, 100], [120, 105]),
      status: 'OK',
      reason: 'nothing behind: committed 15 past the end of the log',
    },
    {
      // Lag grows every step after the zero: without the zero it would be WARN.
      name: 'lag at zero once, then rising',
      samples: recorded([100, 100], [110, 150], [120, 200]),
      status: 'OK',
      reason: 'caught up in sample 1 of 3, lag 80 now',
    },
    {
      // The offset never moves after the zero: without the zero it would be STALL.
      name: 'lag at zero once, then an unchanged offset',
      samples: recorded([100, 100], [100, 130], [100, 160]),
      status: 'OK',
      reason: 'caught up in sample 1 of 3, lag 60 now',
    },
    {
      name: 'a rewind after progress',
      samples: recorded([100, 400], [200, 400], [300, 400], [150, 400], [180, 400]),
      status: 'REWIND',
      reason: 'committed offset went back from 300 to 150, now 180',
    },
    {
      name: 'a rewind to the start after catching up',
      samples: recorded([500, 500], [500, 500], [0, 500]),
      status: 'REWIND',
      reason: 'committed offset went back from 500 to 0',
    },
    {
      // Burrow checks the first rewind only, which recovered here.
      name: 'a second rewind after recovering from the first',
      samples: recorded([100, 400], [50, 400], [120, 400], [90, 400], [110, 400]),
      status: 'REWIND',
      reason: 'committed offset went back from 120 to 90, now 110',
    },
    {
      name: 'a rewind the group has recovered from',
      samples: recorded([100, 400], [200, 400], [150, 400], [250, 400], [300, 400]),
      status: 'OK',
      reason: 'committed offset moving, lag 300 → 100',
    },
    {
      name: 'an unchanged offset with rising lag',
      samples: recorded([100, 150], [100, 160], [100, 170]),
      status: 'STALL',
      reason: 'committed offset stuck at 100 over 3 samples with members present, lag 50 → 70',
    },
    {
      name: 'an unchanged offset with fixed lag',
      samples: recorded([100, 150], [100, 150]),
      status: 'STALL',
      reason: 'committed offset stuck at 100 over 2 samples with members present, lag 50 → 50',
    },
    {
      name: 'lag rising at every step while the offset moves',
      samples: recorded([0, 120], [20, 200], [40, 280], [60, 400], [80, 500], [100, 580]),
      status: 'WARN',
      reason: 'lag rose in each of the last 6 samples, 120 → 480',
    },
    {
      name: 'lag that never falls, with a flat step',
      samples: recorded([0, 100], [50, 150], [60, 210]),
      status: 'WARN',
      reason: 'lag never fell in any of the last 3 samples, 100 → 150',
    },
    {
      name: 'a steady backlog worked off as fast as it grows',
      samples: recorded([0, 100], [50, 150], [100, 200]),
      status: 'OK',
      reason: 'committed offset moving, lag 100 → 100',
    },
    {
      // One falling step clears WARN even when the lag ends higher.
      name: 'lag higher at the end but falling once',
      samples: recorded([0, 100], [10, 210], [100, 250], [110, 410]),
      status: 'OK',
      reason: 'committed offset moving, lag 100 → 300',
    },
    {
      name: 'a first commit in the middle of the window',
      samples: recorded([null, 50], [null, 60], [10, 70], [20, 90]),
      status: 'WARN',
      reason: 'lag rose in each of the last 2 samples, 60 → 70',
    },
    {
      // The run before the gap is another history, so the drop from 100 to 50 is no rewind.
      name: 'offsets deleted and committed again',
      samples: recorded([100, 200], [null, 200], [50, 200], [60, 200]),
      status: 'OK',
      reason: 'committed offset moving, lag 150 → 140',
    },
    {
      // As numbers, both offsets round to the same double: only a BigInt sees the move.
      name: 'big int64 offsets moving by one',
      samples: recorded([BIG, '9223372036854775807'], ['9223372036854775001', '9223372036854775807']),
      status: 'OK',
      reason: 'committed offset moving, lag 807 → 806',
    },
    {
      name: 'big int64 offsets going back by one',
      samples: recorded(['9223372036854775001', '9223372036854775807'], [BIG, '9223372036854775807']),
      status: 'REWIND',
      reason: `committed offset went back from 9223372036854775001 to ${BIG}`,
    },
  ])('$name: $status', ({ samples, status, reason }) => {
    const verdict = partitionStatus(window(samples), true);
    expect(verdict.status).toBe(status);
    expect(verdict.reason).toMatch(reason);
  });

  const still = recorded([100, 150], [100, 160], [100, 170]);

  it.each([
    {
      name: 'no members',
      hasMembers: false,
      lastCommitAt: undefined,
      status: 'STOP',
      reason: 'no members; committed offset 100, lag 70, unchanged over 3 samples',
    },
    {
      name: 'members, but the last commit predates the window',
      hasMembers: true,
      lastCommitAt: T0 - 120_000,
      status: 'STOP',
      reason: 'last commit 180 s ago, before the 60 s window; committed offset 100, lag 70',
    },
    {
      name: 'members still committing the same offset',
      hasMembers: true,
      lastCommitAt: T0 + STEP,
      status: 'STALL',
      reason: /stuck at 100/,
    },
  ])('an unchanged offset with lag and $name: $status', ({ hasMembers, lastCommitAt, status, reason }) => {
    const verdict = partitionStatus(window(still, { lastCommitAt }), hasMembers);
    expect(verdict.status).toBe(status);
    expect(verdict.reason).toMatch(reason);
  });

  it('keeps evaluating a group without members that still commits (a consumer using assign())', () => {
    const moving = recorded([0, 120], [20, 200], [40, 280]);
    expect(partitionStatus(window(moving), false).status).toBe('WARN');
  });
});

const warn = recorded([0, 120], [20, 200], [40, 280]);
const stall = recorded([100, 150], [100, 160]);
const rewind = recorded([300, 400], [150, 400]);
const ok = recorded([90, 100], [100, 100]);

function group(members: number, ...partitions: [LagSample[], Partial<PartitionWindow>?][]): GroupWindow {
  return {
    exists: true,
    members,
    partitions: partitions.map(([samples, extra], partition) => window(samples, { partition, ...extra })),
  };
}

describe('groupStatus', () => {
  it('reports a group that no longer exists as DEAD', () => {
    expect(groupStatus({ ...group(0, [warn]), exists: false })).toEqual({
      status: 'DEAD',
      reason: 'the group no longer exists',
      partitions: [],
    });
  });

  it('reports no members and nothing behind as EMPTY, a partition without a commit included', () => {
    const result = groupStatus(group(0, [ok], [recorded([null, 40], [null, 50])]));
    expect([result.status, result.reason]).toEqual(['EMPTY', 'no members and nothing behind']);
    expect(result.partitions.map((p) => p.status)).toEqual(['OK', 'NO_DATA']);
  });

  it('reports no members with records behind an unchanged offset as STOP', () => {
    const result = groupStatus(group(0, [ok], [stall]));
    expect([result.status, result.reason]).toEqual([
      'STOP',
      'orders partition 1: no members; committed offset 100, lag 60, unchanged over 2 samples',
    ]);
  });

  type Entry = [LagSample[], Partial<PartitionWindow>?];
  const byStatus = {
    OK: [ok],
    NO_DATA: [recorded([0, 5])],
    WARN: [warn],
    REWIND: [rewind],
    STALL: [stall],
    STOP: [stall, { lastCommitAt: T0 - 60_000 }],
  } satisfies Record<string, Entry>;
  const order: { name: string; partitions: (keyof typeof byStatus)[]; status: LagStatus }[] = [
    {
      name: 'STOP over STALL, REWIND and WARN',
      partitions: ['WARN', 'REWIND', 'STALL', 'STOP'],
      status: 'STOP',
    },
    { name: 'STALL over REWIND and WARN', partitions: ['REWIND', 'WARN', 'STALL'], status: 'STALL' },
    { name: 'REWIND over WARN and OK', partitions: ['OK', 'REWIND', 'WARN'], status: 'REWIND' },
    { name: 'WARN over OK and NO_DATA', partitions: ['NO_DATA', 'WARN', 'OK'], status: 'WARN' },
    { name: 'OK over NO_DATA', partitions: ['NO_DATA', 'OK'], status: 'OK' },
  ];

  it.each(order)('takes the worst partition: $name', ({ partitions, status }) => {
    const result = groupStatus(group(3, ...partitions.map((s): Entry => byStatus[s])));
    expect(result.partitions.map((p) => p.status)).toEqual(partitions);
    expect(result.status).toBe(status);
  });

  it('names the partition furthest behind among the worst, and counts the others', () => {
    const further = recorded([0, 300], [20, 400], [40, 500]);
    const result = groupStatus(group(2, [warn], [further], [ok]));
    expect(result.status).toBe('WARN');
    expect(result.reason).toBe(
      'orders partition 1: lag rose in each of the last 3 samples, 300 → 460 (and 1 more partition WARN)',
    );
  });

  it('is not swayed by a partition added in the middle of the window', () => {
    const added = { at: T0 + 2 * STEP, committed: '0', high: '900', lag: 900 };
    const result = groupStatus(group(2, [ok], [[added]]));
    expect(result.partitions.map((p) => p.status)).toEqual(['OK', 'NO_DATA']);
    expect([result.status, result.reason]).toEqual(['OK', 'orders partition 0: caught up: lag 0']);
  });

  it('reports NO_DATA when no partition has two samples yet, or none was sampled', () => {
    expect(groupStatus(group(1, [recorded([0, 5])])).status).toBe('NO_DATA');
    expect(groupStatus(group(1))).toEqual({
      status: 'NO_DATA',
      reason: 'no partitions sampled',
      partitions: [],
    });
  });
});
