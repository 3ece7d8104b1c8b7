import 'server-only';
import type { Kysely, Migration } from 'kysely';
import type { StoreDialect } from '../db';

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on today's schema type.
type AnyDb = Kysely<any>;

/**
 * Alerts (server/alerts/): the level of every subject away from ok, each recorded change, one delivery
 * per change and webhook, and the time of the last fleet view whose changes were recorded.
 */
export function alertsMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('alert_state')
        .addColumn('subject', 'text', (col) => col.primaryKey())
        .addColumn('kind', 'text', (col) => col.notNull())
        .addColumn('source', 'text', (col) => col.notNull())
        .addColumn('label', 'text', (col) => col.notNull())
        .addColumn('link', 'text', (col) => col.notNull())
        .addColumn('level', 'text', (col) => col.notNull())
        .execute();
      await createTransitionTable(db, dialect);
      await createDeliveryTable(db);
      await db.schema
        .createTable('alert_cursor')
        .addColumn('name', 'text', (col) => col.primaryKey())
        .addColumn('taken_at', 'text', (col) => col.notNull())
        .execute();
      // '' sorts before every ISO time: the first view is always newer.
      await db.insertInto('alert_cursor').values({ name: 'recorded', taken_at: '' }).execute();
    },
    async down(db: AnyDb) {
      for (const table of ['alert_cursor', 'alert_delivery', 'alert_transition', 'alert_state']) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}

async function createTransitionTable(db: AnyDb, dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable('alert_transition')
    // Ordered by seq: transitions are written one run at a time, so seq follows commit order.
    .addColumn('seq', dialect === 'sqlite' ? 'integer' : 'bigint', (col) =>
      dialect === 'sqlite' ? col.primaryKey() : col.primaryKey().generatedByDefaultAsIdentity(),
    )
    .addColumn('id', 'text', (col) => col.notNull().unique())
    .addColumn('subject', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('source', 'text', (col) => col.notNull())
    .addColumn('label', 'text', (col) => col.notNull())
    .addColumn('link', 'text', (col) => col.notNull())
    .addColumn('from_level', 'text', (col) => col.notNull())
    .addColumn('to_level', 'text', (col) => col.notNull())
    .addColumn('at', 'text', (col) => col.notNull())
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('recorded_at', 'text', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('alert_transition_subject_idx')
    .on('alert_transition')
    .columns(['subject', 'seq'])
    .execute();
}

async function createDeliveryTable(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('alert_delivery')
    .addColumn('transition_seq', 'bigint', (col) =>
      col.notNull().references('alert_transition.seq').onDelete('cascade'),
    )
    .addColumn('webhook', 'text', (col) => col.notNull())
    .addColumn('subject', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull())
    // Epoch milliseconds, compared in SQL.
    .addColumn('next_attempt_at', 'bigint', (col) => col.notNull())
    .addColumn('lease_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('sent_at', 'text')
    .addPrimaryKeyConstraint('alert_delivery_pk', ['transition_seq', 'webhook'])
    .execute();
  await db.schema
    .createIndex('alert_delivery_due_idx')
    .on('alert_delivery')
    .columns(['status', 'next_attempt_at'])
    .execute();
  // The earlier-delivery check: per webhook and subject, in transition order.
  await db.schema
    .createIndex('alert_delivery_order_idx')
    .on('alert_delivery')
    .columns(['webhook', 'subject', 'transition_seq'])
    .execute();
}
