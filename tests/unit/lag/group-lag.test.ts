import { describe, expect, it } from 'vitest';
import { joinGroupLag, type PartitionLag, summarizeByTopic, summarizeLag } from '@/lib/lag/group-lag';

const ends = [
  { topic: 'orders', partition: 1, low: '0', high: '10', stable: '10' },
  { topic: 'audit', partition: 0, low: '3', high: '7', stable: '6' },
  { topic: 'orders', partition: 0, low: '0', high: '4', stable: '4' },
];

describe('joinGroupLag', () => {
  it('joins commits by topic and partition, sorted, with no offset where there is no commit', () => {
    const rows = joinGroupLag(ends, [
      { topic: 'orders', partition: 0, offset: '4' },
      { topic: 'orders', partition: 1, offset: null },
      { topic: 'audit', partition: 0, offset: '5' },
    ]);
    expect(rows.map((r) => [r.topic, r.partition, r.committed, r.high, r.stable, r.state, r.lag])).toEqual([
      ['audit', 0, '5', '7', '6', 'ok', 2],
      ['orders', 0, '4', '4', '4', 'ok', 0],
      ['orders', 1, null, '10', '10', 'no_offset', null],
    ]);
  });

  it('treats a partition missing from the commits as no offset, and ignores commits elsewhere', () => {
    const rows = joinGroupLag(ends, [{ topic: 'other', partition: 0, offset: '1' }]);
    expect(rows.map((r) => [r.topic, r.partition, r.state])).toEqual([
      ['audit', 0, 'no_offset'],
      ['orders', 0, 'no_offset'],
      ['orders', 1, 'no_offset'],
    ]);
  });

  it('does not confuse partition 1 of "a" with partition 11 of "a" or "a1"', () => {
    const [row] = joinGroupLag(
      [{ topic: 'a', partition: 1, low: '0', high: '20', stable: '20' }],
      [
        { topic: 'a', partition: 11, offset: '1' },
        { topic: 'a1', partition: 1, offset: '2' },
      ],
    );
    expect(row?.committed).toBeNull();
  });
});

function row(
  topic: string,
  partition: number,
  state: PartitionLag['state'],
  lag: number | null,
): PartitionLag {
  return {
    topic,
    partition,
    state,
    lag,
    committed: null,
    low: '0',
    high: '0',
    stable: '0',
    pendingTransactional: 0,
    skipped: 0,
  };
}

describe('summarizeLag', () => {
  it('totals the positive lags, names the worst partition and counts every state', () => {
    const summary = summarizeLag([
      row('orders', 0, 'ok', 5),
      row('orders', 1, 'ok', 40),
      row('orders', 2, 'no_offset', null),
      row('payments', 0, 'beyond_end', -7),
      row('payments', 1, 'below_start', 12),
    ]);
    expect(summary).toEqual({
      partitions: 5,
      totalLag: 57,
      maxLag: 40,
      worst: { topic: 'orders', partition: 1, lag: 40 },
      states: { ok: 2, no_offset: 1, beyond_end: 1, below_start: 1 },
    });
  });

  it('has no worst partition when nothing is behind', () => {
    expect(summarizeLag([row('a', 0, 'ok', 0), row('a', 1, 'no_offset', null)])).toMatchObject({
      totalLag: 0,
      maxLag: 0,
      worst: null,
    });
    expect(summarizeLag([])).toMatchObject({ partitions: 0, totalLag: 0, worst: null });
  });

  it('keeps the first of two equally bad partitions as the worst', () => {
    expect(summarizeLag([row('a', 0, 'ok', 9), row('a', 1, 'ok', 9)]).worst).toEqual({
      topic: 'a',
      partition: 0,
      lag: 9,
    });
  });

  it('saturates a total that would pass the largest safe integer', () => {
    const huge = Number.MAX_SAFE_INTEGER - 1;
    expect(summarizeLag([row('a', 0, 'ok', huge), row('a', 1, 'ok', huge)]).totalLag).toBe(
      Number.MAX_SAFE_INTEGER,
    );
  });
});

describe('summarizeByTopic', () => {
  it('summarises each topic on its own, in topic order', () => {
    const byTopic = summarizeByTopic([row('z', 0, 'ok', 3), row('a', 0, 'ok', 1), row('z', 1, 'ok', 4)]);
    expect(byTopic.map((t) => [t.topic, t.summary.totalLag, t.summary.worst?.partition])).toEqual([
      ['a', 1, 0],
      ['z', 7, 1],
    ]);
  });
});
