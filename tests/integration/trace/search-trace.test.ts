import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceError } from '@/server/errors';
import { indexEvents } from '@/server/trace/index-events';
import { searchTrace } from '@/server/trace/search-trace';
import { createTestStore, STORE_DIALECTS, type TestStore } from '../store/support/test-stores';
import { chain, event, kafkaAt } from './support/trace-events';

const FLOW_UUID = '4bf92f35-77b3-4a1e-9c3d-0e1f2a3b4c5d';

describe.each(STORE_DIALECTS)('searchTrace on %s', (dialect) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await createTestStore(dialect);
    // Two orders interleaved and delivered out of order over two batches; c3's root never arrives.
    const c1 = chain('c1', 4, 0, { orderId: 'o-1' });
    const c2 = chain('c2', 3, 10, { orderId: 'o-2' });
    const [a, b, c, d] = c1;
    const [x, y, z] = c2;
    if (!a || !b || !c || !d || !x || !y || !z) throw new Error('short chain');
    await indexEvents(t.store, [d, y, b, z], null);
    await indexEvents(t.store, [c, x, a], null);
    const orphans = chain('c3', 3, 20).slice(1);
    // A retry of o-1 under a new correlation, and a flow with no correlation ids at all.
    const retry = chain('c4', 2, 30, { orderId: 'o-1' });
    const loose = [
      event({ id: 'n2', cause: 'n1', at: 2, offset: 41 }),
      event({ id: 'n1', cause: null, at: 1, offset: 40 }),
      event({ id: 'n3', cause: 'n2', at: 3, offset: 42 }),
      event({ id: 'n4', cause: 'n2', at: 4, offset: 43, location: kafkaAt('orders.DLT', 0, 0, true) }),
    ];
    await indexEvents(t.store, [...orphans, ...retry, ...loose], null);
    // A flow whose correlation is a UUID, indexed in its canonical (lowercase, dashed) form; its second
    // event's correlation was read from a W3C traceparent header.
    const [root, traced] = chain(FLOW_UUID, 2, 60);
    if (!root || !traced) throw new Error('short chain');
    await indexEvents(
      t.store,
      [root, { ...traced, envelope: { ...traced.envelope, correlationFrom: 'traceparent' } }],
      null,
    );
  });
  afterAll(async () => {
    await t.cleanup();
  });

  const search = (kind: 'auto' | 'correlation' | 'event' | 'causation' | 'business', value: string) =>
    searchTrace(t.store, { kind, value });
  const order = async (kind: Parameters<typeof search>[0], value: string) =>
    (await search(kind, value)).chain.map((e) => e.eventId);

  it('finds the whole flow of a correlation id in causal order despite arrival order', async () => {
    const found = await search('correlation', 'c1');
    expect(found.matched).toBe('correlation');
    expect(found.chain.map((e) => [e.eventId, e.depth])).toEqual([
      ['c1-e0', 0],
      ['c1-e1', 1],
      ['c1-e2', 2],
      ['c1-e3', 3],
    ]);
    expect(found.missing).toEqual([]);
    expect(found.chain[2]?.locations[0]).toMatchObject({
      kind: 'kafka',
      name: 'orders',
      offset: '2',
      dlq: false,
    });
    expect(found.chain[0]?.businessKeys).toEqual([{ name: 'orderId', value: 'o-1' }]);
  });

  it('finds the flow of an event id, and of a causation id', async () => {
    expect(await order('event', 'c2-e1')).toEqual(['c2-e0', 'c2-e1', 'c2-e2']);
    const byCause = await search('causation', 'c2-e0');
    expect(byCause.matched).toBe('causation');
    expect(byCause.chain.map((e) => e.eventId)).toEqual(['c2-e0', 'c2-e1', 'c2-e2']);
  });

  it('marks a parent that never arrived as missing', async () => {
    const found = await search('event', 'c3-e2');
    expect(found.chain.map((e) => [e.eventId, e.parentFound, e.depth])).toEqual([
      ['c3-e1', false, 0],
      ['c3-e2', true, 1],
    ]);
    expect(found.missing).toEqual(['c3-e0']);
    // The missing id is still a causation id that can be searched.
    expect(await order('causation', 'c3-e0')).toEqual(['c3-e1', 'c3-e2']);
  });

  it('finds every flow carrying a business key value', async () => {
    const found = await search('business', 'o-1');
    expect(found.matched).toBe('business');
    expect(found.chain.map((e) => e.eventId)).toEqual(['c1-e0', 'c4-e0', 'c1-e1', 'c4-e1', 'c1-e2', 'c1-e3']);
  });

  it('follows causation links both ways for events with no correlation id', async () => {
    const found = await search('event', 'n3');
    expect(found.chain.map((e) => [e.eventId, e.depth, e.inDlq])).toEqual([
      ['n1', 0, false],
      ['n2', 1, false],
      ['n3', 2, false],
      ['n4', 2, true],
    ]);
    expect(found.locations.map((l) => [l.name, l.dlq, l.events])).toEqual([
      ['orders', false, 3],
      ['orders.DLT', true, 1],
    ]);
  });

  it('auto tries event, correlation, causation, then business key', async () => {
    expect((await search('auto', 'c1-e2')).matched).toBe('event');
    expect((await search('auto', 'c2')).matched).toBe('correlation');
    expect((await search('auto', 'c3-e0')).matched).toBe('causation');
    const byKey = await search('auto', 'o-2');
    expect(byKey.matched).toBe('business');
    expect(byKey.chain).toHaveLength(3);
  });

  it('finds a UUID flow by any spelling of it: a traceparent trace id (32 hex), upper case, braces', async () => {
    const traceparentId = FLOW_UUID.replace(/-/g, '');
    for (const spelling of [traceparentId, FLOW_UUID.toUpperCase(), `{${FLOW_UUID}}`]) {
      expect(await order('correlation', spelling), spelling).toEqual([`${FLOW_UUID}-e0`, `${FLOW_UUID}-e1`]);
      expect((await search('auto', spelling)).matched, spelling).toBe('correlation');
    }
  });

  it('says which events had their correlation id from a traceparent header', async () => {
    const found = await search('correlation', FLOW_UUID);
    expect(found.chain.map((e) => [e.eventId, e.correlationFrom])).toEqual([
      [`${FLOW_UUID}-e0`, null],
      [`${FLOW_UUID}-e1`, 'traceparent'],
    ]);
    expect((await search('event', `${FLOW_UUID}-e1`)).chain[1]?.correlationFrom).toBe('traceparent');
  });

  it('refuses a correlation source it does not know, before writing', async () => {
    const [bad] = chain('c9', 1, 90);
    if (!bad) throw new Error('short chain');
    const envelope = { ...bad.envelope, correlationFrom: 'zipkin' as 'b3' };
    await expect(indexEvents(t.store, [{ ...bad, envelope }], null)).rejects.toThrow(/correlationFrom/);
    expect((await search('correlation', 'c9')).chain).toEqual([]);
  });

  it('answers an unknown or mismatched id with an empty chain', async () => {
    expect(await search('auto', 'nobody')).toMatchObject({ matched: null, chain: [], missing: [] });
    // c1 is a correlation id, not an event id.
    expect(await search('event', 'c1')).toMatchObject({ matched: null, chain: [] });
  });

  it('rejects an empty or oversized value with a clear error', async () => {
    await expect(search('auto', '   ')).rejects.toThrow(ServiceError);
    await expect(search('auto', 'x'.repeat(300))).rejects.toThrow(/at most 256/);
    await expect(searchTrace(t.store, { kind: 'nope' as 'auto', value: 'c1' })).rejects.toThrow(ServiceError);
  });
});
