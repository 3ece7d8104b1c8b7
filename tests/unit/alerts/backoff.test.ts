import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '@/lib/alerts/backoff';

describe('retryDelayMs', () => {
  it('doubles from 10 s and stops at 10 min', () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 7, 8, 30].map((n) => retryDelayMs(n, middle))).toEqual([
      10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 600_000, 600_000, 600_000,
    ]);
  });

  it('moves each delay by up to 20 % either way, never past the cap', () => {
    expect([retryDelayMs(1, () => 0), retryDelayMs(1, () => 1)]).toEqual([8_000, 12_000]);
    expect([retryDelayMs(7, () => 0), retryDelayMs(7, () => 1)]).toEqual([480_000, 600_000]);
  });

  it('spreads retries that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(3)));
    expect(delays.size).toBeGreaterThan(40);
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(32_000);
    for (const delay of delays) expect(delay).toBeLessThanOrEqual(48_000);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses %s failed attempts', (n) => {
    expect(() => retryDelayMs(n)).toThrow(/integer ≥ 1/);
  });
});
