import 'server-only';
import type { Kysely, Migration } from 'kysely';
import type { DeadLetterMessage } from '@/server/brokers/dead-letter-source';
import { frozenAsDeadLetter, packFrozen, unpackFrozen } from '@/server/replay/frozen-message';
import type { StoreDialect } from '../db';

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on today's schema type.
type AnyDb = Kysely<any>;

/**
 * A replay's frozen messages are kept packed (server/replay/frozen-message.ts): the raw bytes after a
 * small head, instead of JSON that held each body twice (as text and as base64). A run reads its
 * batches as slices of the rows. Existing rows are converted; down converts them back to JSON.
 */
export function replayPackedMessagesMigration(dialect: StoreDialect): Migration {
  const bytes = dialect === 'postgres' ? 'bytea' : 'blob';
  return {
    async up(db: AnyDb) {
      await rebuild(db, 'packed', bytes, (row) => ({
        packed: packFrozen(JSON.parse(row.message as string) as DeadLetterMessage),
      }));
    },
    async down(db: AnyDb) {
      await rebuild(db, 'message', 'text', (row) => ({
        message: JSON.stringify(frozenAsDeadLetter(unpackFrozen(row.packed as Uint8Array))),
      }));
    },
  };
}

const CHUNK = 500;

/** replay_messages again with `column` in place of the other form, each row converted by `convert`. */
async function rebuild(
  db: AnyDb,
  column: string,
  type: 'blob' | 'bytea' | 'text',
  convert: (row: Record<string, unknown>) => Record<string, unknown>,
) {
  await db.schema
    .createTable('replay_messages_next')
    .addColumn('job_id', 'text', (col) => col.notNull().references('replay_jobs.id'))
    .addColumn('idx', 'integer', (col) => col.notNull())
    .addColumn(column, type, (col) => col.notNull())
    .addPrimaryKeyConstraint(`replay_messages_${column}_pk`, ['job_id', 'idx'])
    .execute();
  for (let after: { job_id: string; idx: number } | null = null; ; ) {
    let query = db.selectFrom('replay_messages').selectAll().orderBy('job_id').orderBy('idx').limit(CHUNK);
    if (after) {
      const { job_id, idx } = after;
      query = query.where((eb) =>
        eb.or([eb('job_id', '>', job_id), eb.and([eb('job_id', '=', job_id), eb('idx', '>', idx)])]),
      );
    }
    const rows = await query.execute();
    if (rows.length === 0) break;
    await db
      .insertInto('replay_messages_next')
      .values(rows.map((row) => ({ job_id: row.job_id, idx: row.idx, ...convert(row) })))
      .execute();
    const last = rows[rows.length - 1] as { job_id: string; idx: number };
    after = { job_id: last.job_id, idx: Number(last.idx) };
  }
  await db.schema.dropTable('replay_messages').execute();
  await db.schema.alterTable('replay_messages_next').renameTo('replay_messages').execute();
}
