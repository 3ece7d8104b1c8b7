import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DeadLetterMessage, messageBytes } from '@/server/brokers/dead-letter-source';
import { frozenAsDeadLetter } from '@/server/replay/frozen-message';
import { frozenMessages } from '@/server/replay/replay-store';
import { migrateToLatest } from '@/server/store/migrate';
import { replayPackedMessagesMigration } from '@/server/store/migrations/0016-replay-packed-messages';
import { allMigrations } from '@/server/store/migrations/index';
import {
  createTestStore,
  STORE_DIALECTS,
  type TestStore,
} from '@/tests/integration/store/support/test-stores';

const NAME = '0016-replay-packed-messages';

/** Frozen messages as JSON, as they were kept before this migration: a text body, a binary one, headers. */
function letters(): DeadLetterMessage[] {
  return Array.from({ length: 7 }, (_, i) => ({
    id: `0:${i}`,
    location: { kind: 'kafka', topic: 'orders.DLT', partition: 0, offset: String(i) },
    timestamp: 1_764_756_000_000 + i,
    key: i === 3 ? null : messageBytes(`order-${i}`),
    body: i === 5 ? messageBytes(Buffer.from([0xc3, 0x28, i])) : messageBytes(`{"order":${i}}`),
    headers: [
      { key: 'kafka_dlt-exception-message', value: messageBytes(`boom ${i}`) },
      { key: 'empty', value: null },
    ],
    systemAttributes: null,
    receiveCount: null,
  }));
}

async function oldJob(t: TestStore, id: string, messages: DeadLetterMessage[]) {
  await sql`insert into replay_jobs (id, state, kind, source, dlq, target, actor, role, total,
    rate_per_second, canary, cancel_requested, created_at)
    values (${id}, 'confirmed', 'kafka', 'rk', 'orders.DLT', 'orders', 'olga@example.com', 'operator',
      ${messages.length}, 50, 0, 0, '2026-12-03T10:00:00.000Z')`.execute(t.store.db);
  for (const [idx, m] of messages.entries()) {
    await sql`insert into replay_items (job_id, idx, source, dlq, message_id, status)
      values (${id}, ${idx}, 'rk', 'orders.DLT', ${m.id}, 'pending')`.execute(t.store.db);
    await sql`insert into replay_messages (job_id, idx, message)
      values (${id}, ${idx}, ${JSON.stringify(m)})`.execute(t.store.db);
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

  it('packs every frozen message of a job waiting to run, byte for byte, and down gives the JSON back', async () => {
    const { [NAME]: _mine, ...before } = allMigrations(dialect);
    await migrateToLatest(t.store, before);
    // More rows than the migration converts at a time, over two jobs.
    const first = letters();
    const many = Array.from(
      { length: 503 },
      (_, i) => ({ ...letters()[i % 7], id: `1:${i}` }) as DeadLetterMessage,
    );
    await oldJob(t, 'r-a', first);
    await oldJob(t, 'r-b', many);

    expect((await migrateToLatest(t.store)).map((r) => [r.migrationName, r.status])).toEqual([
      [NAME, 'Success'],
    ]);
    const packed = await frozenMessages(t.store, 'r-a', [0, 1, 2, 3, 4, 5, 6]);
    expect([...packed.values()].map(frozenAsDeadLetter)).toEqual(first);
    expect(packed.get(5)?.body).toEqual(Buffer.from([0xc3, 0x28, 5]));
    const b = await frozenMessages(t.store, 'r-b', [0, 250, 502]);
    expect([...b.values()].map((m) => m.meta.id)).toEqual(['1:0', '1:250', '1:502']);

    await replayPackedMessagesMigration(dialect).down?.(t.store.db);
    const back = await sql<{ idx: number; message: string }>`select idx, message from replay_messages
      where job_id = 'r-a' order by idx`.execute(t.store.db);
    expect(back.rows.map((r) => JSON.parse(r.message))).toEqual(first);
    const count = await sql<{ n: number }>`select count(*) as n from replay_messages`.execute(t.store.db);
    expect(Number(count.rows[0]?.n)).toBe(first.length + many.length);

    // And up again from there: nothing lost on the way.
    await replayPackedMessagesMigration(dialect).up(t.store.db);
    const again = await frozenMessages(t.store, 'r-a', [0, 1, 2, 3, 4, 5, 6]);
    expect([...again.values()].map(frozenAsDeadLetter)).toEqual(first);
  });
});
