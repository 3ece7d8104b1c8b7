import { describe, expect, it } from 'vitest';
import { bucketPoints, bucketStep, medianSpacingSeconds } from '@/server/history/buckets';

describe('bucketStep', () => {
  it.each([
    // minimum seconds, tier resolution, step
    [3, 0, 5],
    [12, 0, 15],
    [48, 300, 300],
    [288, 300, 300],
    [301, 300, 600],
    [2_016, 3_600, 3_600],
    [2_016, 0, 3_600],
    [5_000, 300, 7_200],
    [50_000, 3_600, 86_400],
    [100_000, 3_600, 172_800],
  ])('at least %s s on a %s s tier: %s s', (min, resolution, step) => {
    expect(bucketStep(min, resolution)).toBe(step);
  });
});

describe('bucketPoints', () => {
  const raw = (at: number, value: number) => ({ at, value, min: value, max: value, n: 1 });

  it('averages by sample count so rollups and raw samples weigh alike', () => {
    const points = [{ at: 0, value: 10, min: 0, max: 20, n: 10 }, raw(300_000, 40), raw(330_000, 100)];
    expect(bucketPoints(points, 600)).toEqual([{ at: 0, value: 20, min: 0, max: 100 }]);
  });

  it('aligns buckets on the epoch and orders them', () => {
    expect(bucketPoints([raw(125_000, 2), raw(61_000, 1), raw(119_000, 3)], 60)).toEqual([
      { at: 60_000, value: 2, min: 1, max: 3 },
      { at: 120_000, value: 2, min: 2, max: 2 },
    ]);
  });

  it('returns nothing for nothing', () => {
    expect(bucketPoints([], 60)).toEqual([]);
  });
});

describe('medianSpacingSeconds', () => {
  it.each([
    [[], 0],
    [[0], 0],
    [[0, 30_000, 60_000, 150_000], 30],
    [[0, 1_000, 2_400], 1],
  ])('%j: %s s', (ats, seconds) => {
    expect(medianSpacingSeconds(ats.map((at) => ({ at })))).toBe(seconds);
  });
});
