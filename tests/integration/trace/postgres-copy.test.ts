import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { idHash } from '@/lib/trace/id-hash';
import { migrateToLatest } from '@/server/store/migrate';
import { allMigrations } from '@/server/store/migrations';
import { traceKeyRefMigration } from '@/server/store/migrations/0014-trace-key-ref';
import { countIndexed, indexEvents, readCheckpoint } from '@/server/trace/index-events';
import { inTransaction } from '@/server/trace/postgres-client';
import { copyIn } from '@/server/trace/postgres-copy';
import { searchTrace } from '@/server/trace/search-trace';
import { createTestStore, type TestStore } from '../store/support/test-stores';
import { chain, event, sqsAt } from './support/trace-events';

const checkpoint = (position: string) => ({
  consumer: 'indexer',
  positions: [{ kind: 'kafka' as const, cluster: 'local', name: 'orders', partition: 0, position }],
});

const eventIds = async (t: TestStore, kind: 'business' | 'correlation' | 'event', value: string) =>
  (await searchTrace(t.store, { kind, value })).chain.map((e) => e.eventId);

describe('the PostgreSQL writer streams batches in with COPY', () => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createTestStore('postgres');
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('keeps texts with tabs, line breaks and backslashes as written, and every business key of an event', async () => {
    const odd = 'id\twith\\tab\nand\r\\N';
    const events = [
      event({
        id: odd,
        corr: 'c\\1',
        keys: { orderId: 'o\t1', customer: 'cu-1', region: 'eu\\west' },
        offset: 0,
      }),
      event({ id: 'e-2', corr: 'c\\1', cause: odd, keys: { orderId: 'o\t1' }, offset: 1 }),
      event({ id: 'e-3', location: sqsAt('payments', 'm\t1') }),
    ];
    expect(await indexEvents(t.store, events, checkpoint('2'))).toEqual({ indexed: 3, duplicates: 0 });
    const found = await searchTrace(t.store, { kind: 'event', value: odd });
    expect(found.chain.map((e) => [e.eventId, e.correlationId, e.causationId])).toEqual([
      [odd, 'c\\1', null],
      ['e-2', 'c\\1', odd],
    ]);
    expect(found.chain[0]?.businessKeys.map((k) => k.value)).toEqual(['o\t1', 'cu-1', 'eu\\west']);
    expect(await eventIds(t, 'business', 'o\t1')).toEqual([odd, 'e-2']);
    expect(await eventIds(t, 'business', 'cu-1')).toEqual([odd, 'e-2']);
    expect(await eventIds(t, 'business', 'eu\\west')).toEqual([odd, 'e-2']);
    const sqs = await searchTrace(t.store, { kind: 'event', value: 'e-3' });
    expect(sqs.chain[0]?.locations[0]?.messageId).toBe('m\t1');
    expect(await readCheckpoint(t.store, 'indexer')).toMatchObject([{ partition: 0, position: '2' }]);
  });

  it('takes a batch holding locations already indexed by the statement that skips them', async () => {
    await indexEvents(t.store, chain('a', 4, 0, { orderId: 'o-a' }), checkpoint('4'));
    // A re-read from offset 2 with two new events, and one location twice within the batch.
    const reread = [
      ...chain('a', 4, 0, { orderId: 'o-a' }).slice(2),
      ...chain('b', 2, 4, { orderId: 'o-b' }),
    ];
    const again = event({ id: 'b-e1', corr: 'b', cause: 'b-e0', offset: 5, keys: { orderId: 'o-b' } });
    const result = await indexEvents(t.store, [...reread, again], checkpoint('6'));
    expect(result).toEqual({ indexed: 2, duplicates: 3 });
    expect(await countIndexed(t.store)).toBe(6);
    expect(await eventIds(t, 'correlation', 'a')).toEqual(['a-e0', 'a-e1', 'a-e2', 'a-e3']);
    expect(await eventIds(t, 'business', 'o-b')).toEqual(['b-e0', 'b-e1']);
    expect(await readCheckpoint(t.store, 'indexer')).toMatchObject([{ position: '6' }]);
    // Later keys of events that went in by that statement are found too.
    const keyed = event({ id: 'c-e0', corr: 'c', offset: 6, keys: { orderId: 'o-c', customer: 'cu-c' } });
    await indexEvents(t.store, [event({ id: 'b-e1', corr: 'b', offset: 5 }), keyed], null);
    expect(await eventIds(t, 'business', 'cu-c')).toEqual(['c-e0']);
  });

  it('rejects a batch the server refuses, writes none of it, and the next batch goes in', async () => {
    await indexEvents(t.store, chain('a', 2, 0), checkpoint('2'));
    // PostgreSQL text cannot hold a NUL character.
    const bad = [...chain('b', 2, 2), event({ id: 'nul\u0000', corr: 'b', offset: 4 })];
    await expect(indexEvents(t.store, bad, checkpoint('5'))).rejects.toThrow();
    expect(await countIndexed(t.store)).toBe(2);
    expect(await readCheckpoint(t.store, 'indexer')).toMatchObject([{ position: '2' }]);
    expect(await indexEvents(t.store, chain('b', 2, 2), checkpoint('4'))).toEqual({
      indexed: 2,
      duplicates: 0,
    });
    expect(await eventIds(t, 'correlation', 'b')).toEqual(['b-e0', 'b-e1']);
  });

  it('ends a COPY whose rows could not be encoded, and the connection takes the rollback', async () => {
    function* failing(): Generator<string> {
      yield 'kafka\tlocal\tcopied\t0\n';
      throw new Error('encoding failed');
    }
    const copy = inTransaction(t.store, (trx) =>
      copyIn(trx.client, 'copy event_sources (kind, cluster, name, dlq) from stdin', failing()),
    );
    await expect(copy).rejects.toThrow('encoding failed');
    const sources = await sql<{ n: number }>`select count(*) as n from event_sources`.execute(t.store.db);
    expect(sources.rows[0]?.n).toBe(0);
    expect(await indexEvents(t.store, chain('a', 2, 0), null)).toEqual({ indexed: 2, duplicates: 0 });
  });

  it('writes a large batch with its rows numbered in arrival order', async () => {
    const many = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => {
        const at = from + i;
        const keys: Record<string, string> = { orderId: `o-${at % 7}` };
        if (at % 3 === 0) keys.customer = `cu-${at % 5}`;
        return event({ id: `e-${at}`, corr: `c-${at % 100}`, offset: at, keys });
      });
    const order = async () =>
      (
        await sql<{ id: string }>`select event_id as id from events order by seq`.execute(t.store.db)
      ).rows.map((r) => r.id);
    expect(await indexEvents(t.store, many(0, 3_000), checkpoint('3000'))).toEqual({
      indexed: 3_000,
      duplicates: 0,
    });
    expect(await order()).toEqual(many(0, 3_000).map((e) => e.envelope.eventId));
    expect(await eventIds(t, 'correlation', 'c-42')).toEqual(
      many(0, 3_000)
        .filter((_, i) => i % 100 === 42)
        .map((e) => e.envelope.eventId),
    );
    // An event's second key is found as its first is: the 200 events carrying cu-4, with their flows.
    const carriers = many(0, 3_000).filter((_, i) => i % 3 === 0 && i % 5 === 4);
    const byKey = await eventIds(t, 'business', 'cu-4');
    expect(byKey).toEqual(expect.arrayContaining(carriers.map((e) => e.envelope.eventId)));
    expect(carriers).toHaveLength(200);
    // A re-read of the last 2,000 with 1,000 new: the duplicates are skipped, the new rows follow in order.
    expect(await indexEvents(t.store, many(1_000, 3_000), checkpoint('4000'))).toEqual({
      indexed: 1_000,
      duplicates: 2_000,
    });
    expect(await order()).toEqual(many(0, 4_000).map((e) => e.envelope.eventId));
    expect(await readCheckpoint(t.store, 'indexer')).toMatchObject([{ position: '4000' }]);
  });

  it('writes none of a large batch when an event near its start or its end fails', async () => {
    const many = (from: number, n: number, bad: number) =>
      Array.from({ length: n }, (_, i) =>
        event({ id: from + i === bad ? 'nul\u0000' : `e-${from + i}`, corr: 'c', offset: from + i }),
      );
    await indexEvents(t.store, many(0, 10, -1), checkpoint('10'));
    for (const bad of [20, 2_900]) {
      await expect(indexEvents(t.store, many(10, 3_000, bad), checkpoint('3010'))).rejects.toThrow();
      expect(await countIndexed(t.store)).toBe(10);
      expect(await readCheckpoint(t.store, 'indexer')).toMatchObject([{ position: '10' }]);
    }
    expect(await indexEvents(t.store, many(10, 3_000, -1), checkpoint('3010'))).toEqual({
      indexed: 3_000,
      duplicates: 0,
    });
  });
});

describe('migration 0014 (first business key in the row)', () => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createTestStore('postgres', { migrate: false });
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('moves existing keys into the rows and back', async () => {
    const { '0014-trace-key-ref': _, ...before } = allMigrations('postgres');
    await migrateToLatest(t.store, before);
    await sql`insert into event_sources (kind, cluster, name, dlq) values ('kafka', 'local', 'orders', 0)`.execute(
      t.store.db,
    );
    await sql`insert into events (event_ref, event_id, summary, business_keys, source_id, partition, position,
        size, indexed_at)
      values (1, 'e-0', '', '[{"name":"a","value":"k-1"},{"name":"b","value":"k-2"}]', 1, 0, 0, 1, 0),
        (2, 'e-1', '', '[{"name":"a","value":"k-1"}]', 1, 0, 1, 1, 0), (3, 'e-2', '', null, 1, 0, 2, 1, 0)`.execute(
      t.store.db,
    );
    await sql`insert into event_keys (key_ref, seq) select v.k, e.seq from events e
      join (values ('e-0', ${idHash('k-1')}::bigint), ('e-0', ${idHash('k-2')}::bigint),
        ('e-1', ${idHash('k-1')}::bigint)) v(id, k) on v.id = e.event_id`.execute(t.store.db);
    await migrateToLatest(t.store);
    const keyRows = async () =>
      (
        await sql<{
          n: number;
        }>`select (select count(key_ref) from events) + (select count(*) from event_keys)
          as n`.execute(t.store.db)
      ).rows[0]?.n;
    expect(await keyRows()).toBe(3);
    expect(await eventIds(t, 'business', 'k-1')).toEqual(['e-0', 'e-1']);
    expect(await eventIds(t, 'business', 'k-2')).toEqual(['e-0']);
    const migration = traceKeyRefMigration('postgres');
    expect(migration.down).toBeTypeOf('function');
    await migration.down?.(t.store.db);
    const keys = await sql<{ n: number }>`select count(*) as n from event_keys`.execute(t.store.db);
    expect(keys.rows[0]?.n).toBe(3);
    await migration.up(t.store.db);
    expect(await keyRows()).toBe(3);
    expect(await eventIds(t, 'business', 'k-2')).toEqual(['e-0']);
  });
});
