import 'server-only';
import { type Kysely, type Migration, sql } from 'kysely';
import type { StoreDialect } from '../db';

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on today's schema type.
type AnyDb = Kysely<any>;

/**
 * A replay's frozen messages move out of `replay_items` into `replay_messages`, written once at
 * preview and only read after: a running job then rewrites small status rows, not the message text
 * with them. Existing rows are carried over; down puts the text back into `replay_items`.
 *
 * PostgreSQL: item pages are filled to a third at insert, so a run's two updates of each item (sending,
 * then sent) find room on its page and update in place (HOT), without new index entries.
 *
 * SQS: each item also says whether its delete from the DLQ is still owed (`removal`: 'pending' once the
 * job's end asks for it, 'done' once deleted), so a delete that failed is retried, never a send.
 */
export function replayMessagesMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('replay_messages')
        .addColumn('job_id', 'text', (col) => col.notNull().references('replay_jobs.id'))
        .addColumn('idx', 'integer', (col) => col.notNull())
        .addColumn('message', 'text', (col) => col.notNull())
        .addPrimaryKeyConstraint('replay_messages_pk', ['job_id', 'idx'])
        .execute();
      await sql`insert into replay_messages (job_id, idx, message)
        select job_id, idx, message from replay_items`.execute(db);
      await db.schema.alterTable('replay_items').dropColumn('message').execute();
      await db.schema.alterTable('replay_items').addColumn('removal', 'text').execute();
      // Few items owe a delete at any time: the runner finds them without reading the others.
      await db.schema
        .createIndex('replay_items_removal_owed')
        .on('replay_items')
        .column('job_id')
        .where(sql.ref('removal'), '=', 'pending')
        .execute();
      if (dialect === 'postgres') await sql`alter table replay_items set (fillfactor = 30)`.execute(db);
    },
    async down(db: AnyDb) {
      if (dialect === 'postgres') await sql`alter table replay_items reset (fillfactor)`.execute(db);
      await db.schema.dropIndex('replay_items_removal_owed').execute();
      await db.schema.alterTable('replay_items').dropColumn('removal').execute();
      // SQLite adds a NOT NULL column only with a default; every row gets its text at once after.
      await db.schema
        .alterTable('replay_items')
        .addColumn('message', 'text', (col) => (dialect === 'sqlite' ? col.notNull().defaultTo('') : col))
        .execute();
      await sql`update replay_items set message = (select m.message from replay_messages m
        where m.job_id = replay_items.job_id and m.idx = replay_items.idx)`.execute(db);
      if (dialect === 'postgres') {
        await sql`alter table replay_items alter column message set not null`.execute(db);
      }
      await db.schema.dropTable('replay_messages').execute();
    },
  };
}
