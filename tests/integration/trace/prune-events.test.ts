import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ServiceError } from '@/server/errors';
import { countIndexed, indexEvents } from '@/server/trace/index-events';
import { pruneEvents } from '@/server/trace/prune-events';
import { searchTrace } from '@/server/trace/search-trace';
import { createTestStore, STORE_DIALECTS, type TestStore } from '../store/support/test-stores';
import { chain } from './support/trace-events';

const count = async (t: TestStore, table: string) =>
  Number(
    (await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(t.store.db)).rows[0]?.n,
  );

const keysInRows = async (t: TestStore) =>
  Number((await sql<{ n: number }>`select count(key_ref) as n from events`.execute(t.store.db)).rows[0]?.n);

describe.each(STORE_DIALECTS)('pruneEvents on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createTestStore(dialect);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('keeps the newest rows by count and drops the ids only they named', async () => {
    await indexEvents(t.store, chain('old', 4, 0, { orderId: 'o-old' }), null);
    // A long-lived correlation: its first event is old, its next ones are recent.
    await indexEvents(t.store, chain('long', 1, 10), null);
    await indexEvents(t.store, chain('new', 3, 20, { orderId: 'o-new' }), null);
    await indexEvents(t.store, chain('long', 3, 30).slice(1), null);
    expect(await countIndexed(t.store)).toBe(10);
    const result = await pruneEvents(t.store, { maxEvents: 5 });
    expect(result.events).toBe(5);
    expect(await countIndexed(t.store)).toBe(5);
    expect((await searchTrace(t.store, { kind: 'auto', value: 'old' })).matched).toBeNull();
    expect((await searchTrace(t.store, { kind: 'auto', value: 'o-old' })).matched).toBeNull();
    expect((await searchTrace(t.store, { kind: 'correlation', value: 'new' })).chain).toHaveLength(3);
    const long = await searchTrace(t.store, { kind: 'correlation', value: 'long' });
    expect(long.chain.map((e) => e.eventId)).toEqual(['long-e1', 'long-e2']);
    expect(long.missing).toEqual(['long-e0']);
    // SQLite: old's 4 events, its correlation and business key; long-e0 stays as the causation id
    // long-e1 names. PostgreSQL keeps ids in the rows: no dictionary.
    expect(result.ids).toBe(dialect === 'sqlite' ? 6 : 0);
    // PostgreSQL keeps an event's first business key in its row (migration 0014).
    const inRows = dialect === 'postgres' ? await keysInRows(t) : 0;
    expect(inRows + (await count(t, 'event_keys'))).toBe(3);
    expect(await pruneEvents(t.store, { maxEvents: 5 })).toEqual({ events: 0, ids: 0 });
  });

  it('drops rows indexed before the age limit', async () => {
    await indexEvents(t.store, chain('a', 3, 0), null);
    const cutoff = Date.now() + 1;
    await new Promise((resolve) => setTimeout(resolve, 5));
    await indexEvents(t.store, chain('b', 2, 10), null);
    const now = Date.now();
    expect(await pruneEvents(t.store, { maxAgeMs: now - cutoff }, now)).toMatchObject({ events: 3 });
    expect(await countIndexed(t.store)).toBe(2);
    expect(await pruneEvents(t.store, { maxAgeMs: 0 }, now + 10)).toMatchObject({ events: 2 });
    expect(await countIndexed(t.store)).toBe(0);
    expect(await count(t, dialect === 'sqlite' ? 'trace_ids' : 'event_keys')).toBe(0);
  });

  it('rejects a negative limit', async () => {
    await expect(pruneEvents(t.store, { maxEvents: -1 })).rejects.toThrow(ServiceError);
    await expect(pruneEvents(t.store, { maxAgeMs: Number.NaN })).rejects.toThrow(ServiceError);
  });
});
