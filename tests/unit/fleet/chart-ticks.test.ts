import { describe, expect, it } from 'vitest';
import { secondTicks, timeTicks } from '@/lib/fleet/chart-ticks';

describe('chart ticks', () => {
  it.each([
    [0, [0, 1]],
    [45, [0, 15, 30, 45]],
    [1_000, [0, 300, 600, 900, 1_200]],
    [2_400, [0, 600, 1_200, 1_800, 2_400]],
    [2_401, [0, 900, 1_800, 2_700]],
    [100 * 86_400, [0, 25 * 86_400, 50 * 86_400, 75 * 86_400, 100 * 86_400]],
  ])('a time lag up to %s s is ticked at %j', (max, ticks) => {
    expect(secondTicks(max)).toEqual(ticks);
  });

  it('spaces times evenly, ends included', () => {
    expect(timeTicks(0, 3_600_000)).toEqual([0, 900_000, 1_800_000, 2_700_000, 3_600_000]);
  });
});
