import { describe, expect, it } from 'vitest';
import { NO_FILTER, type RowFilter, rowMatcher } from '@/lib/dlq/filter-rows';
import type { DlqMessageRow } from '@/lib/dlq/message-row';
import { groupCauses, rowGroups } from '@/lib/dlq/row-groups';

function row(id: string, over: Partial<DlqMessageRow> & { cls?: string; message?: string }): DlqMessageRow {
  return {
    id,
    location: { kind: 'kafka', where: 't.DLT', partition: 0, offset: id, messageId: null },
    timestamp: 1_000,
    key: null,
    size: 1,
    receiveCount: null,
    eventType: null,
    correlationId: null,
    schemaVersion: null,
    producer: null,
    schemaId: null,
    failure: {
      convention: 'spring-kafka',
      exceptionClass: over.cls ?? null,
      groupClass: over.cls ?? null,
      message: over.message ?? null,
      stackTrace: null,
      stackTraceTruncated: false,
      original: null,
      failedAt: null,
      details: [],
      warnings: [],
    },
    body: { kind: 'empty', size: 0 },
    headers: [],
    systemAttributes: null,
    masking: { rules: [], fields: 0, headers: 0, bodyHidden: false },
    searchText: '',
    ...over,
  };
}

const ROWS = [
  row('1', { cls: 'a.NotFound', message: 'Customer 17 not found', eventType: 'OrderPlaced', timestamp: 100 }),
  row('2', { cls: 'a.NotFound', message: 'Customer 99 not found', eventType: 'OrderPaid', timestamp: 200 }),
  row('3', { cls: 'b.Serde', message: 'bad magic', correlationId: 'corr-ABC', searchText: '{"total": 12}' }),
];

const ids = (filter: Partial<RowFilter>) => {
  const { groupOf } = rowGroups(ROWS);
  return ROWS.filter(rowMatcher({ ...NO_FILTER, ...filter }, groupOf)).map((r) => r.id);
};

describe('rowMatcher', () => {
  it.each([
    [{}, ['1', '2', '3']],
    [{ text: '"TOTAL": 12' }, ['3']],
    [{ exceptionClass: 'notfound' }, ['1', '2']],
    [{ eventType: 'paid' }, ['2']],
    [{ correlationId: 'corr-abc' }, ['3']],
    [{ from: 150 }, ['2', '3']],
    [{ to: 150 }, ['1']],
    [{ eventType: 'Order', from: 150 }, ['2']],
  ] as [Partial<RowFilter>, string[]][])('%j matches %j', (filter, expected) => {
    expect(ids(filter)).toEqual(expected);
  });

  it('filters by failure group: the varying values do not split a group', () => {
    const { groups } = rowGroups(ROWS);
    expect(groups.map((g) => [g.exceptionClass, g.template, g.count])).toEqual([
      ['a.NotFound', 'Customer <n> not found', 2],
      ['b.Serde', 'bad magic', 1],
    ]);
    expect(ids({ groupKey: groups[0]?.key ?? null })).toEqual(['1', '2']);
    expect(ids({ groupKey: groups[1]?.key ?? null })).toEqual(['3']);
  });
});

describe('groupCauses', () => {
  const withOriginal = (r: DlqMessageRow, schemaVersion: string): DlqMessageRow => ({
    ...r,
    schemaVersion,
    timestamp: 60 * 60_000,
    failure: {
      ...r.failure,
      original: {
        kind: 'kafka',
        topic: 'orders',
        partition: 0,
        offset: '1',
        timestamp: null,
        timestampType: null,
        consumerGroup: null,
      },
    },
  });
  const rows = ROWS.map((r) => withOriginal(r, r.id === '3' ? '1' : '2'));

  it('names the schema version new on the original topic just before a group began failing', () => {
    const { groups } = rowGroups(rows);
    const seen = { orders: { schemaVersions: { '1': 0, '2': 55 * 60_000 } } };
    const causes = groupCauses(groups, rows, seen);
    expect(causes.get(groups[0]?.key ?? '')).toMatchObject({ kind: 'schemaVersion', value: '2', share: 1 });
    // Version 1 was there an hour before: not news.
    expect(causes.has(groups[1]?.key ?? '')).toBe(false);
  });

  it('names nothing for a topic the index has not read', () => {
    const { groups } = rowGroups(rows);
    expect(groupCauses(groups, rows, { payments: { schemaVersions: { '2': 55 * 60_000 } } }).size).toBe(0);
  });
});
