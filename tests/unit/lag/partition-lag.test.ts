import { describe, expect, it } from 'vitest';
import { partitionLag } from '@/lib/lag/partition-lag';

describe('partitionLag', () => {
  it.each([
    // Within the log.
    { low: '0', high: '100', stable: '100', committed: '40', state: 'ok', lag: 60, skipped: 0 },
    { low: '0', high: '100', stable: '100', committed: '100', state: 'ok', lag: 0, skipped: 0 },
    { low: '0', high: '0', stable: '0', committed: '0', state: 'ok', lag: 0, skipped: 0 },
    { low: '30', high: '100', stable: '100', committed: '30', state: 'ok', lag: 70, skipped: 0 },
    // Never committed: no offset, not zero.
    { low: '0', high: '100', stable: '100', committed: null, state: 'no_offset', lag: null, skipped: 0 },
    // Past the end (a reset, a recreated topic): negative, never clamped to 0.
    { low: '0', high: '5', stable: '5', committed: '9', state: 'beyond_end', lag: -4, skipped: 0 },
    // Below the log start: retention deleted 29 records the group never read.
    { low: '30', high: '100', stable: '100', committed: '1', state: 'below_start', lag: 99, skipped: 29 },
    // int64 extremes saturate rather than lose precision silently.
    {
      low: '0',
      high: '9223372036854775807',
      stable: '9223372036854775807',
      committed: '0',
      state: 'ok',
      lag: Number.MAX_SAFE_INTEGER,
      skipped: 0,
    },
    {
      low: '0',
      high: '9007199254741000',
      stable: '9007199254741000',
      committed: '9007199254740000',
      state: 'ok',
      lag: 1000,
      skipped: 0,
    },
  ])('low $low, high $high, committed $committed → $state, lag $lag', (row) => {
    const { state, lag, skipped, ...position } = row;
    expect(partitionLag(position)).toEqual({ state, lag, skipped, pendingTransactional: 0 });
  });

  it('counts the records an open transaction holds back, whatever the commit', () => {
    expect(partitionLag({ low: '0', high: '6', stable: '3', committed: '3' })).toEqual({
      state: 'ok',
      lag: 3,
      pendingTransactional: 3,
      skipped: 0,
    });
    expect(partitionLag({ low: '0', high: '6', stable: '3', committed: null }).pendingTransactional).toBe(3);
  });
});
