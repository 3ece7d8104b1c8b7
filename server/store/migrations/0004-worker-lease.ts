import 'server-only';
import type { Kysely, Migration } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on today's schema type.
type AnyDb = Kysely<any>;

/**
 * Named leases (server/worker/lease.ts): who holds each and until when, in the database's clock.
 * `term` grows each time the holder changes, so a holder can tell its own tenure from a later one.
 */
export function workerLeaseMigration(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('worker_lease')
        .addColumn('name', 'text', (col) => col.primaryKey())
        .addColumn('holder', 'text', (col) => col.notNull())
        .addColumn('term', 'bigint', (col) => col.notNull())
        .addColumn('expires_at', 'bigint', (col) => col.notNull())
        .execute();
    },
    async down(db: AnyDb) {
      await db.schema.dropTable('worker_lease').execute();
    },
  };
}
