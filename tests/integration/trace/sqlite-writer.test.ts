import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCK_KEYS, runExclusive } from '@/server/store/exclusive-transaction';
import { countIndexed, indexEvents } from '@/server/trace/index-events';
import { pruneEvents } from '@/server/trace/prune-events';
import { searchTrace } from '@/server/trace/search-trace';
import { createTestStore, type TestStore } from '../store/support/test-stores';
import { chain, event } from './support/trace-events';

describe('the SQLite index writer', () => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createTestStore('sqlite');
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('waits without blocking for a write transaction this process holds across an await', async () => {
    // The index's own connection is open (it opens on the first batch).
    await indexEvents(t.store, chain('c0', 1, 100), null);
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const other = runExclusive(t.store, LOCK_KEYS.history, async (db) => {
      await sql`insert into worker_lease (name, holder, term, expires_at) values ('x', 'y', 1, 0)`.execute(
        db,
      );
      await held;
    });
    // Let the other transaction take the lock first.
    await new Promise((resolve) => setTimeout(resolve, 20));
    let settled = false;
    const indexing = indexEvents(t.store, chain('c1', 3, 0), null).finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The event loop kept running while the batch waited: the timer ticked and the holder can finish.
    expect(ticks).toBeGreaterThan(5);
    expect(settled).toBe(false);
    release();
    await other;
    expect(await indexing).toEqual({ indexed: 3, duplicates: 0 });
    clearInterval(timer);
    expect(await countIndexed(t.store)).toBe(4);
  });

  const correlated = async (corr: string) =>
    (await searchTrace(t.store, { kind: 'correlation', value: corr })).chain.map((e) => e.eventId);

  it('hands out no ref of a batch that rolled back', async () => {
    await indexEvents(t.store, chain('c0', 1, 0), null);
    await sql`create trigger refuse before insert on events when new.summary like '%boom%'
      begin select raise(abort, 'refused'); end`.execute(t.store.db);
    await expect(
      indexEvents(
        t.store,
        [event({ id: 'r-e0', corr: 'r', offset: 1 }), event({ id: 'boom', offset: 2 })],
        null,
      ),
    ).rejects.toThrow('refused');
    await sql`drop trigger refuse`.execute(t.store.db);
    // The refs the failed batch had taken go to other ids now.
    await indexEvents(t.store, chain('q', 2, 3), null);
    await indexEvents(t.store, [event({ id: 'r-e0', corr: 'r', offset: 1 })], null);
    expect(await correlated('r')).toEqual(['r-e0']);
    expect(await correlated('q')).toEqual(['q-e0', 'q-e1']);
  });

  it('names no id retention dropped from the dictionary', async () => {
    await indexEvents(t.store, chain('old', 2, 0, { orderId: 'o-1' }), null);
    expect((await pruneEvents(t.store, { maxEvents: 0 })).ids).toBeGreaterThan(0);
    await indexEvents(t.store, chain('fresh', 2, 10), null);
    // The same ids again, after retention dropped them and other ids took their refs.
    await indexEvents(t.store, chain('old', 3, 20, { orderId: 'o-1' }).slice(1), null);
    expect(await correlated('old')).toEqual(['old-e1', 'old-e2']);
    expect(await correlated('fresh')).toEqual(['fresh-e0', 'fresh-e1']);
    const byKey = await searchTrace(t.store, { kind: 'business', value: 'o-1' });
    expect(byKey.chain.map((e) => e.eventId)).toEqual(['old-e1', 'old-e2']);
    expect(byKey.missing).toEqual(['old-e0']);
  });
});
