import { describe, expect, it } from 'vitest';
import { traceExpectationsSchema } from '@/lib/config/trace-expect-schema';
import { traceConfigSchema } from '@/lib/config/trace-schema';
import { buildChain, type TraceRecord } from '@/lib/trace/build-chain';
import { chainLanes, chainTree, hopLatencies, laneBins, treeParents } from '@/lib/trace/chain-layout';
import { checkExpectations } from '@/lib/trace/expectations';
import { formatHop, traceHref } from '@/lib/trace/format-trace';

let seq = 0;
function row(
  id: string,
  cause: string | null,
  at: number,
  type = 'T',
  where: { name?: string; dlq?: boolean; producer?: string } = {},
): TraceRecord {
  seq++;
  return {
    seq,
    eventId: id,
    eventType: type,
    correlationId: 'c',
    causationId: cause,
    occurredAt: at,
    schemaVersion: '1',
    producer: where.producer ?? null,
    summary: '',
    businessKeys: [],
    size: 1,
    location: {
      kind: 'kafka',
      cluster: 'k',
      name: where.name ?? 'orders',
      partition: 0,
      offset: String(seq),
      messageId: null,
      dlq: where.dlq ?? false,
      indexedAt: 1_000_000 + seq,
    },
  };
}

const chainOf = (records: TraceRecord[]) => buildChain(records).events;
const rowsText = (records: TraceRecord[], options?: Parameters<typeof chainTree>[1]) => {
  const events = chainOf(records);
  return chainTree(events, options).map((r) =>
    r.kind === 'event'
      ? `${'  '.repeat(r.depth)}${events[r.index]?.eventId} ${formatHop(r.latencyMs)}`.trimEnd()
      : `${'  '.repeat(r.depth)}× ${r.indices.length} ${r.eventType} ${formatHop(r.minLatencyMs)}..${formatHop(r.maxLatencyMs)}`,
  );
};

describe('chainTree', () => {
  it('reads parent then subtree, with each hop latency as child time minus parent time', () => {
    // The chain's own order interleaves branches by time; the tree keeps each subtree together.
    const records = [
      row('a', null, 0),
      row('b', 'a', 100),
      row('c', 'a', 150),
      row('b1', 'b', 4_300),
      row('c1', 'c', 200),
    ];
    expect(chainOf(records).map((e) => e.eventId)).toEqual(['a', 'b', 'c', 'c1', 'b1']);
    expect(rowsText(records)).toEqual(['a', '  b +100 ms', '    b1 +4.2 s', '  c +150 ms', '    c1 +50 ms']);
  });

  it('folds five or more leaf siblings of one type into one row, and unfolds it on request', () => {
    const retries = Array.from({ length: 240 }, (_, i) =>
      row(`r${i}`, 'p', 1_000 + i * 1_000, 'PaymentRetried'),
    );
    const records = [row('p', null, 0, 'PaymentRequested'), ...retries, row('x', 'p', 500, 'PaymentFailed')];
    expect(rowsText(records)).toEqual(['p', '  x +500 ms', '  × 240 PaymentRetried +1.0 s..+4 min']);
    const events = chainOf(records);
    const folded = chainTree(events).find((r) => r.kind === 'group');
    const open = chainTree(events, { expanded: new Set([folded?.key ?? '']) });
    expect(open).toHaveLength(242);
    expect(open.filter((r) => r.kind === 'group')).toEqual([]);
  });

  it('keeps four repeated siblings, and siblings that have children of their own, as rows', () => {
    const four = [row('p', null, 0), ...[1, 2, 3, 4].map((i) => row(`s${i}`, 'p', i))];
    expect(rowsText(four)).toHaveLength(5);
    const parents = [
      row('q', null, 0),
      ...[1, 2, 3, 4, 5, 6].map((i) => row(`t${i}`, 'q', i)),
      row('leaf', 't1', 9),
    ];
    expect(rowsText(parents).filter((t) => t.includes('×'))).toEqual(['  × 5 T +2 ms..+6 ms']);
    expect(rowsText(parents)).toContain('    leaf +8 ms');
  });

  it('starts orphans (missing parent) and a cut loop at depth 0, with no latency', () => {
    const records = [row('o', 'gone', 10), row('x', 'y', 20), row('y', 'x', 30)];
    const events = chainOf(records);
    expect(treeParents(events).filter((p) => p === null)).toHaveLength(2);
    expect(rowsText(records)).toEqual(['o', 'x', '  y +10 ms']);
  });

  it('walks a 5,000-hop line without overflowing the stack', () => {
    const line = Array.from({ length: 5_000 }, (_, i) => row(`l${i}`, i === 0 ? null : `l${i - 1}`, i));
    const rows = chainTree(chainOf(line));
    expect(rows).toHaveLength(5_000);
    expect(rows.at(-1)).toMatchObject({ kind: 'event', depth: 4_999, latencyMs: 1 });
  });
});

describe('chainLanes and laneBins', () => {
  it('makes one lane per topic or queue in the order the flow reached it, DLQ copies included', () => {
    const records = [
      row('a', null, 0, 'OrderPlaced', { name: 'orders', producer: 'shop' }),
      // The DLQ copy was indexed first; the source topic's lane still comes first.
      row('b', 'a', 10, 'InventoryReserved', { name: 'inventory.DLT', dlq: true }),
      row('b', 'a', 10, 'InventoryReserved', { name: 'inventory', producer: 'stock' }),
      row('c', 'a', 20, 'OrderPlaced', { name: 'orders', producer: 'shop' }),
    ];
    const layout = chainLanes(chainOf(records));
    expect(layout.lanes.map((l) => [l.name, l.dlq, l.producers])).toEqual([
      ['orders', false, ['shop']],
      ['inventory', false, ['stock']],
      ['inventory.DLT', true, []],
    ]);
    expect(layout.points).toHaveLength(4);
    expect([layout.start, layout.end]).toEqual([0, 20]);
  });

  it('gathers thousands of points into at most lanes × bins marks, the earliest event opening each', () => {
    const records = Array.from({ length: 5_000 }, (_, i) =>
      row(`e${i}`, null, i, 'T', { name: `t${i % 3}` }),
    );
    const events = chainOf(records);
    const bins = laneBins(chainLanes(events), 100, new Set());
    expect(bins.length).toBeLessThanOrEqual(300);
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(5_000);
    const first = bins.find((b) => b.lane === 0 && b.bin === 0);
    expect(events[first?.event ?? -1]?.eventId).toBe('e0');
  });

  it('marks a bin red only on the DLQ lane', () => {
    const events = chainOf([row('a', null, 0), row('a', null, 0, 'T', { name: 'orders.DLT', dlq: true })]);
    const bins = laneBins(chainLanes(events), 10, new Set([0]));
    expect(bins.map((b) => b.dlq)).toEqual([false, true]);
  });
});

describe('checkExpectations', () => {
  const rules = traceExpectationsSchema.parse([
    { after: 'OrderPlaced', expect: ['InventoryReserved', 'PaymentAuthorized'], withinSeconds: 300 },
  ]);
  const judge = (records: TraceRecord[], now: number) => {
    const events = chainOf(records);
    return [...checkExpectations(events, treeParents(events), rules, now)].map(([i, marks]) => [
      events[i]?.eventId,
      marks.map((m) => `${m.expect}:${m.state}`),
    ]);
  };

  it.each([
    [
      'both came in time',
      [
        row('o', null, 0, 'OrderPlaced'),
        row('i', 'o', 1_000, 'InventoryReserved'),
        row('p', 'o', 2_000, 'PaymentAuthorized'),
      ],
      1e9,
      [],
    ],
    [
      'one never came',
      [row('o', null, 0, 'OrderPlaced'), row('i', 'o', 1_000, 'InventoryReserved')],
      301_000,
      [['o', ['PaymentAuthorized:missing']]],
    ],
    [
      'the window is still open',
      [row('o', null, 0, 'OrderPlaced')],
      299_000,
      [['o', ['InventoryReserved:waiting', 'PaymentAuthorized:waiting']]],
    ],
    [
      'one came late',
      [
        row('o', null, 0, 'OrderPlaced'),
        row('i', 'o', 400_000, 'InventoryReserved'),
        row('p', 'o', 1, 'PaymentAuthorized'),
      ],
      1e9,
      [['o', ['InventoryReserved:late']]],
    ],
    [
      'a grandchild does not count',
      [
        row('o', null, 0, 'OrderPlaced'),
        row('x', 'o', 1, 'Other'),
        row('i', 'x', 2, 'InventoryReserved'),
        row('p', 'o', 3, 'PaymentAuthorized'),
      ],
      1e9,
      [['o', ['InventoryReserved:missing']]],
    ],
  ])('%s', (_name, records, now, expected) => {
    expect(judge(records, now)).toEqual(expected);
  });

  it('refuses a rule with nothing to expect, naming the field under trace', () => {
    const parsed = traceConfigSchema.safeParse({ expectations: [{ after: 'A', expect: [] }] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['expectations', 0, 'expect']);
  });
});

describe('formatting', () => {
  it.each([
    [85, '+85 ms'],
    [4_210, '+4.2 s'],
    [185_000, '+3 min 5 s'],
    [-1_500, '−1.5 s'],
    [null, ''],
  ])('hop %s reads %s', (ms, text) => expect(formatHop(ms)).toBe(text));

  it('puts any id in one escaped path segment', () => {
    expect(traceHref('order/42?#%', 'business')).toBe('/trace/order%2F42%3F%23%25?kind=business');
    expect(traceHref('c-1', 'auto')).toBe('/trace/c-1');
  });

  it('latency of a child before its parent stays negative (clock skew shows)', () => {
    const events = chainOf([row('a', null, 100), row('b', 'a', 40)]);
    expect(hopLatencies(events, treeParents(events))).toEqual([null, -60]);
  });
});
