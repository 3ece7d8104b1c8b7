import { describe, expect, it } from 'vitest';
import { toGroupRow } from '@/lib/fleet/fleet-data';
import { DEFAULT_TABLE_STATE, filterAndSort, groupTableSchema, tableSearch } from '@/lib/fleet/group-table';
import { testGroup } from './rows';

const rows = [
  testGroup({
    groupId: 'alpha',
    topics: ['orders'],
    offsetLag: 10,
    timeToClear: { kind: 'clears_in', seconds: 30 },
  }),
  testGroup({
    groupId: 'bravo',
    cluster: 'prod-us',
    topics: ['payments'],
    offsetLag: 500,
    status: 'STALL',
    timeToClear: { kind: 'not_catching_up' },
    judgement: { level: 'critical', reason: 'critical: x', metric: 'offsetLag', since: null },
  }),
  testGroup({
    groupId: 'charlie',
    topics: ['orders'],
    status: 'WARN',
    timeToClear: { kind: 'unknown' },
    timeLag: null,
  }),
  testGroup({
    groupId: 'delta',
    topics: ['audit'],
    judgement: { level: 'warn', reason: 'warn: x', metric: 'offsetLag', since: null },
  }),
].map(toGroupRow);

const names = (state: Partial<typeof DEFAULT_TABLE_STATE>) =>
  filterAndSort(rows, { ...DEFAULT_TABLE_STATE, ...state }).map((g) => g.groupId);

describe('the consumer-lag table', () => {
  it('sorts worst level first by default, ties by the worse status', () => {
    expect(names({})).toEqual(['bravo', 'delta', 'charlie', 'alpha']);
  });

  it.each([
    ['group', 'asc', ['alpha', 'bravo', 'charlie', 'delta']],
    ['cluster', 'desc', ['bravo', 'charlie', 'alpha', 'delta']],
    ['offsetLag', 'desc', ['bravo', 'alpha', 'charlie', 'delta']],
    // Not measured yet sorts below "clear"; a backlog that never clears sorts above every figure.
    ['timeToClear', 'desc', ['bravo', 'alpha', 'delta', 'charlie']],
    ['timeLag', 'asc', ['charlie', 'bravo', 'alpha', 'delta']],
    ['status', 'desc', ['bravo', 'charlie', 'alpha', 'delta']],
  ] as const)('by %s %s', (sort, dir, expected) => {
    expect(names({ sort, dir })).toEqual(expected);
  });

  it('filters by text over cluster, group and topic names, by status and by level', () => {
    expect(names({ q: 'ORDERS', sort: 'group', dir: 'asc' })).toEqual(['alpha', 'charlie']);
    expect(names({ q: 'prod-us' })).toEqual(['bravo']);
    expect(names({ q: '  lta ' })).toEqual(['delta']);
    expect(names({ status: 'WARN' })).toEqual(['charlie']);
    expect(names({ level: 'warn' })).toEqual(['delta']);
    expect(names({ q: 'orders', level: 'critical' })).toEqual([]);
  });

  it('reads its state from the URL, bad values falling back to the defaults', () => {
    expect(groupTableSchema.parse({})).toEqual(DEFAULT_TABLE_STATE);
    expect(
      groupTableSchema.parse({ sort: 'offsetLag', dir: 'sideways', status: 'NOPE', level: 'warn', q: 'x' }),
    ).toEqual({
      q: 'x',
      status: 'all',
      level: 'warn',
      sort: 'offsetLag',
      dir: 'desc',
    });
    expect(tableSearch(DEFAULT_TABLE_STATE)).toBe('');
    expect(tableSearch({ ...DEFAULT_TABLE_STATE, q: 'a b', sort: 'group', dir: 'asc' })).toBe(
      '?q=a+b&sort=group&dir=asc',
    );
  });
});
