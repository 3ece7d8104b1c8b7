import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { indexEvents } from '@/server/trace/index-events';
import { createTestStore, type TestStore } from '../store/support/test-stores';
import { event, kafkaAt } from './support/trace-events';

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
});
