import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCK_KEYS, runExclusive } from '@/server/store/exclusive-transaction';
import { countIndexed, indexEvents } from '@/server/trace/index-events';
import { createTestStore, type TestStore } from '../store/support/test-stores';
import { chain } from './support/trace-events';

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
});
