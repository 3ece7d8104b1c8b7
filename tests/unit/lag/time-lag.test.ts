import { describe, expect, it } from 'vitest';
import { ratePerSecond, timeLagFromHistory, timeLagFromRecord } from '@/lib/lag/time-lag';

const T0 = 1_700_000_000_000;
const at = (s: number) => T0 + s * 1000;

describe('timeLagFromHistory', () => {
  // The end grew by 10 records every 10 s: offset 100 at 0 s, 110 at 10 s, 120 at 20 s.
  const steady = [
    { at: at(0), high: 100 },
    { at: at(10), high: 110 },
    { at: at(20), high: 120 },
  ];
  it.each([
    ['at the end', 130, 130, at(30), { kind: 'caught_up' }],
    ['beyond the end (a reset): not behind in time', 140, 130, at(30), { kind: 'caught_up' }],
    ['between two samples: interpolated', 105, 130, at(30), { kind: 'behind', seconds: 25 }],
    ['exactly at a sample', 110, 130, at(30), { kind: 'behind', seconds: 20 }],
    ['after the newest sample: interpolated toward now', 125, 130, at(30), { kind: 'behind', seconds: 5 }],
    ['older than the history', 90, 130, at(30), { kind: 'before_history' }],
  ] as const)('%s', (_, committed, high, now, expected) => {
    const got = timeLagFromHistory(committed, high, now, steady);
    if (expected.kind === 'behind' && got.kind === 'behind') {
      expect(got.seconds).toBeCloseTo(expected.seconds, 6);
    } else {
      expect(got).toEqual(expected);
    }
  });

  it('takes the last time the end stood at the offset when production paused', () => {
    // The end sat at 100 from 0 s to 20 s, then moved: record 100 was written after 20 s.
    const paused = [
      { at: at(0), high: 100 },
      { at: at(10), high: 100 },
      { at: at(20), high: 100 },
      { at: at(30), high: 110 },
    ];
    expect(timeLagFromHistory(100, 110, at(40), paused)).toEqual({ kind: 'behind', seconds: 20 });
  });

  it('says nothing from an empty history', () => {
    expect(timeLagFromHistory(5, 10, at(0), [])).toEqual({ kind: 'before_history' });
  });
});

describe('timeLagFromRecord', () => {
  it('is the record age, never negative when the producer clock is ahead', () => {
    expect(timeLagFromRecord(at(0), at(90))).toBe(90);
    expect(timeLagFromRecord(at(5), at(0))).toBe(0);
  });
});

describe('ratePerSecond', () => {
  it.each([
    [{ at: at(0), value: 0 }, { at: at(10), value: 50 }, 5],
    [{ at: at(0), value: 50 }, { at: at(10), value: 50 }, 0],
    // A counter that went down (a rewind) is not a negative rate.
    [{ at: at(0), value: 50 }, { at: at(10), value: 10 }, 0],
    [{ at: at(0), value: 0 }, { at: at(0.5), value: 10 }, null],
  ])('%o → %o = %s', (from, to, expected) => {
    expect(ratePerSecond(from, to)).toBe(expected);
  });
});
