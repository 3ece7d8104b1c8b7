import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { idHash } from '@/lib/trace/id-hash';
import { migrateToLatest } from '@/server/store/migrate';
import { allMigrations } from '@/server/store/migrations';
import { indexEvents } from '@/server/trace/index-events';
import { searchTrace } from '@/server/trace/search-trace';
import { createTestStore, type TestStore } from '../store/support/test-stores';
import { chain, event, kafkaAt } from './support/trace-events';

const lastAnalyzed = async (t: TestStore) =>
  (
    await sql<{ at: string | null }>`select last_analyze as at from pg_stat_user_tables
      where relname = 'events' and schemaname = current_schema()`.execute(t.store.db)
  ).rows[0]?.at ?? null;

describe('the PostgreSQL index writer', () => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createTestStore('postgres');
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('analyzes the index tables as they grow, so lookups do not plan on stale statistics', async () => {
    const batch = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) =>
        event({ id: `e${from + i}`, corr: `c${(from + i) % 50}`, location: kafkaAt('orders', 0, from + i) }),
      );
    await indexEvents(t.store, batch(0, 500), null);
    expect(await lastAnalyzed(t)).toBeNull();
    await indexEvents(t.store, batch(500, 600), null);
    expect(await lastAnalyzed(t)).not.toBeNull();
  });

  it('tells apart ids that share a hash: the text in the row is compared', async () => {
    // Collisions of 53-bit hashes are rare: plant one, an event whose ids hash as c-victim's do.
    await indexEvents(t.store, chain('c-victim', 2, 0), null);
    await indexEvents(
      t.store,
      [event({ id: 'x-impostor', corr: 'c-impostor', location: kafkaAt('orders', 1, 0) })],
      null,
    );
    await sql`update events set corr_ref = ${idHash('c-victim')},
      cause_ref = ${idHash('c-victim-e0')}, causation_id = 'c-impostor-e0'
      where event_id = 'x-impostor'`.execute(t.store.db);
    const byCorrelation = await searchTrace(t.store, { kind: 'correlation', value: 'c-victim' });
    expect(byCorrelation.chain.map((e) => [e.eventId, e.correlationId])).toEqual([
      ['c-victim-e0', 'c-victim'],
      ['c-victim-e1', 'c-victim'],
    ]);
    const byEvent = await searchTrace(t.store, { kind: 'event', value: 'c-victim-e0' });
    expect(byEvent.chain.map((e) => e.eventId)).toEqual(['c-victim-e0', 'c-victim-e1']);
    const children = await searchTrace(t.store, { kind: 'causation', value: 'c-victim-e0' });
    expect(children.chain.map((e) => e.eventId)).toEqual(['c-victim-e0', 'c-victim-e1']);
    // The impostor's own id finds it, and its chain by the hash it shares holds no victim.
    const impostor = await searchTrace(t.store, { kind: 'auto', value: 'x-impostor' });
    expect([impostor.matched, impostor.chain.map((e) => e.eventId)]).toEqual(['event', ['x-impostor']]);
  });

  it('moves an index written with the id dictionary into the rows (migration 0011)', async () => {
    const old = await createTestStore('postgres', { migrate: false });
    try {
      const all = allMigrations('postgres');
      const before = Object.fromEntries(Object.entries(all).filter(([name]) => name < '0011'));
      await migrateToLatest(old.store, before);
      // Two events of flow c-old as the dictionary writer stored them; c-old took its second probe.
      await sql`insert into trace_ids (hash, value) values (${idHash('c-old', 1)}, 'c-old'),
        (${idHash('e-0')}, 'e-0'), (${idHash('e-1')}, 'e-1'), (${idHash('o-1')}, 'o-1')`.execute(
        old.store.db,
      );
      await sql`insert into event_sources (kind, cluster, name, dlq) values ('kafka', 'local', 'orders', 0)`.execute(
        old.store.db,
      );
      await sql`insert into events (event_ref, corr_ref, cause_ref, summary, business_keys, source_id, partition,
          position, size, indexed_at)
        select (select ref from trace_ids where value = v.e), (select ref from trace_ids where value = 'c-old'),
          (select ref from trace_ids where value = v.c), '', '[{"name":"orderId","value":"o-1"}]', 1, 0, v.p, 1, 0
        from (values ('e-0', null, 0), ('e-1', 'e-0', 1)) as v(e, c, p)`.execute(old.store.db);
      await sql`insert into event_keys (key_ref, seq) select (select ref from trace_ids where value = 'o-1'), seq
        from events`.execute(old.store.db);
      await migrateToLatest(old.store, all);
      // A new event of the same flow goes in under the first probe; the search finds all three.
      await indexEvents(
        old.store,
        [event({ id: 'e-2', corr: 'c-old', cause: 'e-1', location: kafkaAt('orders', 0, 2) })],
        null,
      );
      const flow = await searchTrace(old.store, { kind: 'correlation', value: 'c-old' });
      expect(flow.chain.map((e) => [e.eventId, e.causationId])).toEqual([
        ['e-0', null],
        ['e-1', 'e-0'],
        ['e-2', 'e-1'],
      ]);
      const byKey = await searchTrace(old.store, { kind: 'business', value: 'o-1' });
      expect(byKey.chain.map((e) => e.eventId)).toEqual(['e-0', 'e-1', 'e-2']);
    } finally {
      await old.cleanup();
    }
  });
});
