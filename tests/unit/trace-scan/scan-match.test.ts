import { describe, expect, it } from 'vitest';
import type { Envelope } from '@/lib/envelope/extract-envelope';
import type { TraceLocation } from '@/lib/trace/build-chain';
import { ScanMatcher } from '@/server/trace-scan/scan-match';

const envelope = (fields: Partial<Envelope>): Envelope => ({
  eventId: null,
  eventType: null,
  correlationId: null,
  causationId: null,
  occurredAt: null,
  schemaVersion: null,
  producer: null,
  sources: {} as Envelope['sources'],
  businessKeys: [],
  summary: '',
  bodyKind: 'json',
  unwrapped: [],
  ...fields,
});
let offset = 0;
const at = (name = 'orders'): TraceLocation => ({
  kind: 'kafka',
  cluster: 'local',
  name,
  partition: 0,
  offset: String(offset++),
  messageId: null,
  dlq: name.endsWith('.DLT'),
  indexedAt: offset,
});

describe('what a live scan keeps', () => {
  it('matches a traceparent trace id and a dashed UUID as one flow, as the index does', () => {
    const m = new ScanMatcher({ kind: 'correlation', value: '4BF92F3577B34DA6A3CE929D0E0E4736' });
    expect(
      m.offer(envelope({ eventId: 'a', correlationId: '4bf92f35-77b3-4da6-a3ce-929d0e0e4736' }), at(), 1),
    ).toBe(true);
    expect(m.offer(envelope({ eventId: 'b', correlationId: 'other' }), at(), 1)).toBe(false);
    expect(m.result()).toMatchObject({ matched: 'correlation', chain: [{ eventId: 'a' }] });
  });

  it('follows an event id to the later events of its flow, by correlation and by causation', () => {
    const m = new ScanMatcher({ kind: 'auto', value: 'ev-1' });
    expect(m.offer(envelope({ eventId: 'ev-0', correlationId: 'c' }), at(), 1)).toBe(false);
    m.offer(envelope({ eventId: 'ev-1', correlationId: 'c' }), at(), 1);
    m.offer(envelope({ eventId: 'ev-2', correlationId: 'c', causationId: 'ev-1' }), at('pay.DLT'), 1);
    m.offer(envelope({ eventId: 'ev-3', causationId: 'ev-2' }), at(), 1);
    m.offer(envelope({ eventId: 'ev-4', correlationId: 'unrelated' }), at(), 1);
    const r = m.result();
    expect(r.matched).toBe('event');
    expect(r.chain.map((e) => [e.eventId, e.depth, e.inDlq])).toEqual([
      ['ev-1', 0, false],
      ['ev-2', 1, true],
      ['ev-3', 2, false],
    ]);
    expect(r.locations.map((l) => l.name)).toEqual(['orders', 'pay.DLT']);
  });

  it('finds a business key value as written, and stops keeping at its limit, saying so', () => {
    const m = new ScanMatcher({ kind: 'business', value: 'o-1' }, 2);
    for (const id of ['a', 'b', 'c']) {
      m.offer(envelope({ eventId: id, businessKeys: [{ name: 'order', value: 'o-1' }] }), at(), 1);
    }
    expect(m.offer(envelope({ eventId: 'x', correlationId: 'o-1' }), at(), 1)).toBe(false);
    const r = m.result();
    expect(r.chain.map((e) => e.eventId)).toEqual(['a', 'b']);
    expect(r).toMatchObject({ matched: 'business', truncated: true });
  });
});
