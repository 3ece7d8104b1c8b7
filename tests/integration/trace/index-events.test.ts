import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { idHash } from '@/lib/trace/id-hash';
import { ServiceError } from '@/server/errors';
import { countIndexed, indexEvents, readCheckpoint } from '@/server/trace/index-events';
import { searchTrace } from '@/server/trace/search-trace';
import { createTestStore, STORE_DIALECTS, type TestStore } from '../store/support/test-stores';
import { chain, event, kafkaAt, sqsAt } from './support/trace-events';

describe.each(STORE_DIALECTS)('indexEvents on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createTestStore(dialect);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('writes each location once however often it is read', async () => {
    const events = [...chain('c1', 5, 0), ...chain('c2', 3, 5)];
    expect(await indexEvents(t.store, events, null)).toEqual({ indexed: 8, duplicates: 0 });
    expect(await indexEvents(t.store, events, null)).toEqual({ indexed: 0, duplicates: 8 });
    expect(await countIndexed(t.store)).toBe(8);
    const found = await searchTrace(t.store, { kind: 'correlation', value: 'c1' });
    expect(found.chain.map((e) => e.eventId)).toEqual(['c1-e0', 'c1-e1', 'c1-e2', 'c1-e3', 'c1-e4']);
  });

  it('keeps one row for a location delivered twice in one batch, and its business keys once', async () => {
    const [first] = chain('c1', 1, 7, { orderId: 'o-1' });
    if (!first) throw new Error('no event');
    expect(await indexEvents(t.store, [first, first, { ...first }], null)).toEqual({
      indexed: 1,
      duplicates: 2,
    });
    const byKey = await searchTrace(t.store, { kind: 'business', value: 'o-1' });
    expect(byKey.chain).toHaveLength(1);
    expect(byKey.chain[0]?.locations).toHaveLength(1);
  });

  it('treats the same event id in its topic and in a DLQ as one event at two locations', async () => {
    const original = event({ id: 'e1', corr: 'c1', location: kafkaAt('orders', 2, 40) });
    const dead = event({ id: 'e1', corr: 'c1', location: kafkaAt('orders.DLT', 0, 3, true) });
    const sqsDead = event({ id: 'e1', corr: 'c1', location: sqsAt('orders-dlq', 'm-1', true) });
    await indexEvents(t.store, [original], null);
    await indexEvents(t.store, [dead, sqsDead, sqsDead], null);
    expect(await countIndexed(t.store)).toBe(3);
    const found = await searchTrace(t.store, { kind: 'event', value: 'e1' });
    expect(found.chain).toHaveLength(1);
    const [only] = found.chain;
    expect(only?.inDlq).toBe(true);
    expect(only?.locations.map((l) => [l.kind, l.name, l.partition, l.offset, l.messageId, l.dlq])).toEqual([
      ['kafka', 'orders', 2, '40', null, false],
      ['kafka', 'orders.DLT', 0, '3', null, true],
      ['sqs', 'orders-dlq', 0, null, 'm-1', true],
    ]);
    expect(found.locations.map((l) => [l.name, l.dlq, l.events])).toEqual([
      ['orders', false, 1],
      ['orders.DLT', true, 1],
      ['orders-dlq', true, 1],
    ]);
  });

  it('rejects a batch with a bad event before writing any of it, checkpoint included', async () => {
    const good = chain('c1', 2, 0);
    const bad = event({ id: 'x'.repeat(300), corr: 'c1', offset: 9 });
    const checkpoint = {
      consumer: 'indexer',
      positions: [{ kind: 'kafka' as const, cluster: 'local', name: 'orders', partition: 0, position: '10' }],
    };
    const attempt = indexEvents(t.store, [...good, bad], checkpoint);
    await expect(attempt).rejects.toThrow(ServiceError);
    await expect(attempt).rejects.toThrow(/event 2: eventId/);
    await expect(
      indexEvents(t.store, [event({ id: 'e', location: kafkaAt('orders', 0, -1) })], null),
    ).rejects.toThrow(/offset -1/);
    expect(await countIndexed(t.store)).toBe(0);
    expect(await readCheckpoint(t.store, 'indexer')).toEqual([]);
  });

  it('resumes from its checkpoint after a stop without losing or doubling an event', async () => {
    // Three partitions of one topic, 60 records each, chains spread over them.
    const log = Array.from({ length: 3 }, (_, partition) =>
      Array.from({ length: 60 }, (_, offset) =>
        event({
          id: `p${partition}-${offset}`,
          corr: `c${offset % 7}`,
          location: kafkaAt('orders', partition, offset),
        }),
      ),
    );
    // A consumer that indexes 25 records a partition per batch and stops after `batches`.
    const consume = async (batches: number) => {
      const from = new Map(
        (await readCheckpoint(t.store, 'indexer')).map((p) => [p.partition, Number(p.position)]),
      );
      for (let b = 0; b < batches; b++) {
        const events = log.flatMap((records, p) => records.slice(from.get(p) ?? 0, (from.get(p) ?? 0) + 25));
        if (events.length === 0) return;
        const positions = log.map((records, partition) => {
          const next = Math.min(records.length, (from.get(partition) ?? 0) + 25);
          from.set(partition, next);
          return {
            kind: 'kafka' as const,
            cluster: 'local',
            name: 'orders',
            partition,
            position: String(next),
          };
        });
        await indexEvents(t.store, events, { consumer: 'indexer', positions });
      }
    };
    await consume(1);
    expect(await readCheckpoint(t.store, 'indexer')).toEqual(
      [0, 1, 2].map((partition) => ({
        kind: 'kafka',
        cluster: 'local',
        name: 'orders',
        partition,
        position: '25',
      })),
    );
    // A restart that re-reads the last batch (its commit raced the stop) writes nothing twice.
    await indexEvents(
      t.store,
      log.flatMap((r) => r.slice(0, 25)),
      null,
    );
    await consume(10);
    expect(await countIndexed(t.store)).toBe(180);
    expect((await readCheckpoint(t.store, 'indexer')).map((p) => p.position)).toEqual(['60', '60', '60']);
    const c3 = await searchTrace(t.store, { kind: 'correlation', value: 'c3' });
    expect(c3.chain).toHaveLength(3 * [...Array(60).keys()].filter((o) => o % 7 === 3).length);
  });

  // SQLite's id dictionary (PostgreSQL keeps ids in the rows: postgres-writer.test.ts plants its collision).
  if (dialect === 'sqlite')
    it('moves an id whose hash another id holds to its next probe, and tells the two apart', async () => {
      // Collisions of 53-bit hashes are rare: plant one by writing another text under the id's hash.
      await t.store.db
        .insertInto('trace_ids')
        .values({ hash: idHash('c-victim'), value: 'c-impostor' })
        .execute();
      await indexEvents(t.store, chain('c-victim', 2, 0), null);
      const found = await searchTrace(t.store, { kind: 'correlation', value: 'c-victim' });
      expect(found.chain.map((e) => [e.eventId, e.correlationId])).toEqual([
        ['c-victim-e0', 'c-victim'],
        ['c-victim-e1', 'c-victim'],
      ]);
      expect((await searchTrace(t.store, { kind: 'auto', value: 'c-impostor' })).matched).toBeNull();
      const stored = await t.store.db
        .selectFrom('trace_ids')
        .select('hash')
        .where('value', '=', 'c-victim')
        .execute();
      expect(stored.map((r) => Number(r.hash))).toEqual([idHash('c-victim', 1)]);
    });
});
