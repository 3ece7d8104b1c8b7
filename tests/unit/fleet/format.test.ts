import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatCount,
  formatDuration,
  formatElapsedMs,
  formatPartitionList,
  formatTick,
  formatTimeLag,
  formatTimeToClear,
  formatUtc,
  plural,
} from '@/lib/fleet/format';

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [-5, '0 s'],
    [0.4, '<1 s'],
    [1, '1 s'],
    [59.9, '59 s'],
    [60, '1 min'],
    [252, '4 min 12 s'],
    [3_600, '1 h'],
    [7_500, '2 h 5 min'],
    [7_259, '2 h'],
    [86_400 * 3 + 3_600 * 4 + 59, '3 d 4 h'],
    [Number.POSITIVE_INFINITY, '∞'],
  ])('%s s reads "%s"', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('figures', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');

  it('counts, ages and times read the same on every machine', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(null)).toBe('—');
    expect(formatAgo('2024-05-01T11:55:00Z', now)).toBe('5 min ago');
    expect(formatAgo(now - 300, now)).toBe('just now');
    expect(formatAgo(now + 2_000, now)).toBe('just now');
    expect(formatAgo(null, now)).toBe('never');
    expect(formatUtc('2024-05-01T03:12:40Z', now)).toBe('03:12 UTC');
    expect(formatUtc('2024-04-30T23:59:00Z', now)).toBe('2024-04-30 23:59 UTC');
    expect(formatElapsedMs(420.4)).toBe('420 ms');
    expect(formatElapsedMs(2_500)).toBe('2 s');
    expect(plural(1, 'group')).toBe('1 group');
    expect(plural(2_000, 'group')).toBe('2,000 groups');
    expect(plural(2, 'breach', 'breaches')).toBe('2 breaches');
  });

  it('time lag and time to clear say what they are, never a bare zero for "unknown"', () => {
    expect(formatTimeLag(null)).toBe('—');
    expect(formatTimeLag({ seconds: 0, method: 'caught-up' })).toBe('0 s');
    expect(formatTimeLag({ seconds: 400, method: 'record-timestamp' })).toBe('6 min 40 s');
    expect(formatTimeToClear({ kind: 'clear' })).toBe('clear');
    expect(formatTimeToClear({ kind: 'clears_in', seconds: 150 })).toBe('~2 min 30 s');
    expect(formatTimeToClear({ kind: 'not_catching_up' })).toBe('not catching up');
    expect(formatTimeToClear({ kind: 'unknown' })).toBe('not measured yet');
  });

  it('axis ticks keep one unit', () => {
    expect(formatTick(12_345, 'count')).toBe('12.3K');
    expect(formatTick(1_000, 'seconds')).toBe('16.7 min');
    expect(formatTick(30, 'seconds')).toBe('30 s');
    expect(formatTick(0, 'seconds')).toBe('0 s');
  });

  it.each([
    [[], ''],
    [[3], '3'],
    [[0, 1, 2, 3, 7, 9, 10], '0–3, 7, 9–10'],
    [[10, 9, 0, 2, 1], '0–2, 9–10'],
  ])('partitions %j read "%s"', (partitions, text) => {
    expect(formatPartitionList(partitions)).toBe(text);
  });
});
