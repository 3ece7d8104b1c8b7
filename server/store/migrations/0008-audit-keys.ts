import 'server-only';
import type { Kysely, Migration } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on today's schema type.
type AnyDb = Kysely<any>;

/**
 * Each audit entry records the key version that signed it. Entries already there were hashed with
 * plain SHA-256 and become version 0; adding a column fires no row trigger, so append-only holds.
 */
export function auditKeysMigration(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .alterTable('audit_log')
        .addColumn('key_version', 'integer', (col) => col.notNull().defaultTo(0))
        .execute();
    },
    async down(db: AnyDb) {
      await db.schema.alterTable('audit_log').dropColumn('key_version').execute();
    },
  };
}
