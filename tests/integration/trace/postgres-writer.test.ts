import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { idHash } from '@/lib/trace/id-hash';
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
});
