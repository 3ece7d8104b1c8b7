import { describe, expect, it } from 'vitest';
import { buildChain, type TraceRecord } from '@/lib/trace/build-chain';

let seq = 0;
function row(
  id: string | null,
  cause: string | null,
  at: number | null,
  extra: Partial<TraceRecord> = {},
): TraceRecord {
  seq++;
  return {
    seq,
    eventId: id,
    eventType: 'T',
    correlationId: 'c',
    causationId: cause,
    occurredAt: at,
    schemaVersion: '1',
    producer: null,
    summary: '',
    businessKeys: [],
    size: 1,
    location: {
      kind: 'kafka',
      cluster: 'k',
      name: 'orders',
      partition: 0,
      offset: String(seq),
      messageId: null,
      dlq: false,
      indexedAt: 1000 + seq,
    },
    ...extra,
  };
}

const ids = (records: TraceRecord[]) => buildChain(records).events.map((e) => e.eventId);
const depths = (records: TraceRecord[]) => buildChain(records).events.map((e) => e.depth);

describe('buildChain', () => {
  it.each([
    {
      name: 'in order',
      records: () => [row('a', null, 1), row('b', 'a', 2), row('c', 'b', 3)],
      order: ['a', 'b', 'c'],
      depth: [0, 1, 2],
    },
    {
      name: 'arrived backwards',
      records: () => [row('c', 'b', 3), row('b', 'a', 2), row('a', null, 1)],
      order: ['a', 'b', 'c'],
      depth: [0, 1, 2],
    },
    {
      name: 'child stamped before its parent (clock skew): causation wins over time',
      records: () => [row('b', 'a', 1), row('a', null, 5)],
      order: ['a', 'b'],
      depth: [0, 1],
    },
    {
      name: 'siblings by time',
      records: () => [row('a', null, 1), row('late', 'a', 9), row('early', 'a', 3), row('x', 'early', 4)],
      order: ['a', 'early', 'x', 'late'],
      depth: [0, 1, 2, 1],
    },
    {
      name: 'no time: arrival order',
      records: () => [row('a', null, null), row('b', null, null)],
      order: ['a', 'b'],
      depth: [0, 0],
    },
    {
      name: 'events without ids stay apart',
      records: () => [row(null, null, 2), row(null, null, 1)],
      order: [null, null],
      depth: [0, 0],
    },
  ])('orders $name', ({ records, order, depth }) => {
    const rows = records();
    expect(ids(rows)).toEqual(order);
    expect(depths(rows)).toEqual(depth);
  });

  it('merges duplicates and DLQ copies into one event with every location, the source row speaking', () => {
    const dead = row('a', null, 1, { summary: 'dead copy' });
    dead.location = { ...dead.location, name: 'orders.DLT', dlq: true };
    const source = row('a', null, 1, { summary: 'original' });
    const again = { ...source, seq: source.seq + 100 };
    const { events } = buildChain([dead, source, again]);
    expect(events).toHaveLength(1);
    expect(events[0]?.summary).toBe('original');
    expect(events[0]?.inDlq).toBe(true);
    expect(events[0]?.locations.map((l) => l.name)).toEqual(['orders.DLT', 'orders']);
  });

  it('reports causation ids that name no event, once, and roots their children', () => {
    const chain = buildChain([
      row('b', 'gone', 2),
      row('c', 'b', 3),
      row('d', 'gone', 4),
      row('e', 'lost', 5),
    ]);
    expect(chain.missing).toEqual(['gone', 'lost']);
    expect(chain.events.map((e) => [e.eventId, e.parentFound, e.depth])).toEqual([
      ['b', false, 0],
      ['c', true, 1],
      ['d', false, 0],
      ['e', false, 0],
    ]);
  });

  it('cuts a loop at its earliest event and marks its members', () => {
    const chain = buildChain([
      row('a', 'c', 5),
      row('b', 'a', 6),
      row('c', 'b', 7),
      row('d', 'c', 8),
      row('r', null, 1),
    ]);
    expect(chain.cycles).toBe(true);
    expect(chain.missing).toEqual([]);
    expect(chain.events.map((e) => [e.eventId, e.inCycle, e.depth])).toEqual([
      ['r', false, 0],
      ['a', true, 0],
      ['b', true, 1],
      ['c', true, 2],
      ['d', false, 3],
    ]);
  });

  it('treats an event caused by itself as a root, not a loop', () => {
    const chain = buildChain([row('a', 'a', 1)]);
    expect(chain.cycles).toBe(false);
    expect(chain.missing).toEqual([]);
    expect(chain.events[0]?.parentFound).toBe(false);
  });

  it('returns an empty chain for no rows', () => {
    expect(buildChain([])).toEqual({ events: [], missing: [], cycles: false });
  });
});
