import 'server-only';
import type { Kysely, Migration } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on today's schema type.
type AnyDb = Kysely<any>;

/**
 * Guarded replay (server/replay/): one row per job, written at preview before anything is sent, and one
 * per frozen message with where its send stands, which is also how the store remembers what was replayed.
 */
export function replaysMigration(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('replay_jobs')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('state', 'text', (col) => col.notNull())
        .addColumn('kind', 'text', (col) => col.notNull())
        .addColumn('source', 'text', (col) => col.notNull())
        .addColumn('dlq', 'text', (col) => col.notNull())
        .addColumn('target', 'text', (col) => col.notNull())
        .addColumn('original_target', 'text')
        .addColumn('actor', 'text', (col) => col.notNull())
        .addColumn('role', 'text', (col) => col.notNull())
        .addColumn('reason', 'text')
        .addColumn('total', 'integer', (col) => col.notNull())
        .addColumn('rate_per_second', 'double precision', (col) => col.notNull())
        .addColumn('canary', 'integer', (col) => col.notNull())
        .addColumn('cancel_requested', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('start_offsets', 'text')
        .addColumn('error', 'text')
        .addColumn('created_at', 'text', (col) => col.notNull())
        .addColumn('confirmed_at', 'text')
        .addColumn('confirmed_by', 'text')
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .execute();
      await db.schema.createIndex('replay_jobs_state').on('replay_jobs').column('state').execute();
      await db.schema
        .createTable('replay_items')
        .addColumn('job_id', 'text', (col) => col.notNull().references('replay_jobs.id'))
        .addColumn('idx', 'integer', (col) => col.notNull())
        .addColumn('source', 'text', (col) => col.notNull())
        .addColumn('dlq', 'text', (col) => col.notNull())
        .addColumn('message_id', 'text', (col) => col.notNull())
        .addColumn('message', 'text', (col) => col.notNull())
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('sent_at', 'text')
        .addColumn('landed', 'text')
        .addColumn('error', 'text')
        .addPrimaryKeyConstraint('replay_items_pk', ['job_id', 'idx'])
        .execute();
      await db.schema
        .createIndex('replay_items_message')
        .on('replay_items')
        .columns(['source', 'dlq', 'message_id'])
        .execute();
    },
    async down(db: AnyDb) {
      await db.schema.dropTable('replay_items').execute();
      await db.schema.dropTable('replay_jobs').execute();
    },
  };
}
