import 'server-only';
import type { Kysely, Migration } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on today's schema type.
type AnyDb = Kysely<any>;

/**
 * The worker's latest fleet view, one row per name ('latest'), as JSON: every app instance serves
 * pages from it, whichever instance holds the worker's lease.
 */
export function fleetViewMigration(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('fleet_view')
        .addColumn('name', 'text', (col) => col.primaryKey())
        .addColumn('taken_at', 'text', (col) => col.notNull())
        .addColumn('body', 'text', (col) => col.notNull())
        .execute();
    },
    async down(db: AnyDb) {
      await db.schema.dropTable('fleet_view').execute();
    },
  };
}
