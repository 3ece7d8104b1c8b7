import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listItems } from '@/server/replay/replay-store';
import { migrateToLatest } from '@/server/store/migrate';
import { replayMessagesMigration } from '@/server/store/migrations/0012-replay-messages';
import { allMigrations } from '@/server/store/migrations/index';
import {
  createTestStore,
  STORE_DIALECTS,
  type TestStore,
} from '@/tests/integration/store/support/test-stores';

const NAME = '0012-replay-messages';

/** A job row as 0009 made it, and its items with their message text inline. */
async function oldJob(t: TestStore, id: string, count: number) {
  await sql`insert into replay_jobs (id, state, kind, source, dlq, target, actor, role, total,
    rate_per_second, canary, cancel_requested, created_at)
    values (${id}, 'done', 'kafka', 'rk', 'orders.DLT', 'orders', 'olga@example.com', 'operator',
      ${count}, 50, 0, 0, '2026-12-03T10:00:00.000Z')`.execute(t.store.db);
  for (let idx = 0; idx < count; idx++) {
    await sql`insert into replay_items (job_id, idx, source, dlq, message_id, message, status, sent_at)
      values (${id}, ${idx}, 'rk', 'orders.DLT', ${`0:${idx}`}, ${`{"id":"0:${idx}","n":${idx}}`},
        'sent', '2026-12-03T10:00:01.000Z')`.execute(t.store.db);
  }
}

describe.each(STORE_DIALECTS)(`migration ${NAME} on %s`, (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createTestStore(dialect, { migrate: false });
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('moves each message to replay_messages, keeps the items, adds the owed deletes, and down puts it back as it was', async () => {
    // The migrations before this one, then this one alone: later ones change replay_messages again.
    const all = allMigrations(dialect);
    const upTo = (last: string) => Object.fromEntries(Object.entries(all).filter(([name]) => name <= last));
    const before = Object.fromEntries(Object.entries(all).filter(([name]) => name < NAME));
    await migrateToLatest(t.store, before);
    await oldJob(t, 'r-old', 3);

    expect((await migrateToLatest(t.store, upTo(NAME))).map((r) => [r.migrationName, r.status])).toEqual([
      [NAME, 'Success'],
    ]);
    const items = await listItems(t.store, 'r-old');
    const moved = await sql<{ idx: number; message: string }>`select idx, message from replay_messages
      where job_id = 'r-old' order by idx`.execute(t.store.db);
    const frozen = new Map(moved.rows.map((r) => [Number(r.idx), r.message]));
    expect(items.map((i) => [i.idx, i.message_id, i.status, frozen.get(i.idx)])).toEqual([
      [0, '0:0', 'sent', '{"id":"0:0","n":0}'],
      [1, '0:1', 'sent', '{"id":"0:1","n":1}'],
      [2, '0:2', 'sent', '{"id":"0:2","n":2}'],
    ]);
    // Read through the store's own connection: PostgreSQL's introspection lists every schema's tables.
    const reads = (query: string) =>
      sql
        .raw(query)
        .execute(t.store.db)
        .then(() => true)
        .catch(() => false);
    expect(await reads('select message from replay_items')).toBe(false);
    // SQS deletes owed are kept per item from here on.
    expect(await reads('select removal from replay_items')).toBe(true);

    await replayMessagesMigration(dialect).down?.(t.store.db);
    expect(await reads('select message from replay_items')).toBe(true);
    expect(await reads('select removal from replay_items')).toBe(false);
    const back = await sql<{ idx: number; message: string }>`select idx, message from replay_items
      where job_id = 'r-old' order by idx`.execute(t.store.db);
    expect(back.rows.map((r) => [Number(r.idx), r.message])).toEqual([
      [0, '{"id":"0:0","n":0}'],
      [1, '{"id":"0:1","n":1}'],
      [2, '{"id":"0:2","n":2}'],
    ]);
    expect(await reads('select 1 from replay_messages')).toBe(false);
    // And up again from there: nothing lost on the way.
    await replayMessagesMigration(dialect).up(t.store.db);
    const again = await sql<{ n: number }>`select count(*) as n from replay_messages
      where job_id = 'r-old'`.execute(t.store.db);
    expect(Number(again.rows[0]?.n)).toBe(3);
  });
});
