import { describe, expect, it } from 'vitest';
import { computeGroupLag, offsetLag } from '@/server/brokers/kafka/group-lag';

describe('offsetLag', () => {
  it.each([
    { high: '100', committed: '40', lag: 60 },
    { high: '100', committed: '100', lag: 0 },
    { high: '0', committed: '0', lag: 0 },
    // A commit past the log end (topic recreated, truncated log) is not negative lag.
    { high: '5', committed: '9', lag: 0 },
    { high: '9223372036854775807', committed: '0', lag: Number.MAX_SAFE_INTEGER },
    { high: '9007199254741000', committed: '9007199254740000', lag: 1000 },
    { high: '100', committed: null, lag: null },
  ])('high $high, committed $committed → $lag', ({ high, committed, lag }) => {
    expect(offsetLag(high, committed)).toBe(lag);
  });
});

describe('computeGroupLag', () => {
  const offsets = [
    { topic: 'orders', partition: 1, low: '0', high: '10', stable: '10' },
    { topic: 'audit', partition: 0, low: '3', high: '7', stable: '6' },
    { topic: 'orders', partition: 0, low: '0', high: '4', stable: '4' },
  ];

  it('joins commits by topic and partition, sorted, lag against the high watermark, null where there is no commit', () => {
    const committed = [
      { topic: 'orders', partition: 0, offset: '4' },
      { topic: 'orders', partition: 1, offset: null },
      { topic: 'audit', partition: 0, offset: '5' },
    ];
    expect(computeGroupLag(offsets, committed)).toEqual([
      { topic: 'audit', partition: 0, committed: '5', high: '7', stable: '6', lag: 2 },
      { topic: 'orders', partition: 0, committed: '4', high: '4', stable: '4', lag: 0 },
      { topic: 'orders', partition: 1, committed: null, high: '10', stable: '10', lag: null },
    ]);
  });

  it('treats a partition missing from the commits as no offset, and ignores commits elsewhere', () => {
    const lag = computeGroupLag(offsets, [{ topic: 'other', partition: 0, offset: '1' }]);
    expect(lag.map((l) => [l.topic, l.partition, l.committed, l.lag])).toEqual([
      ['audit', 0, null, null],
      ['orders', 0, null, null],
      ['orders', 1, null, null],
    ]);
  });

  it('does not confuse partition 1 of "a" with partition 11 of "a" or "a1"', () => {
    const lag = computeGroupLag(
      [{ topic: 'a', partition: 1, low: '0', high: '20', stable: '20' }],
      [
        { topic: 'a', partition: 11, offset: '1' },
        { topic: 'a1', partition: 1, offset: '2' },
      ],
    );
    expect(lag[0]?.committed).toBeNull();
  });
});
