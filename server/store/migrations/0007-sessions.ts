import 'server-only';
import type { Kysely, Migration } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on today's schema type.
type AnyDb = Kysely<any>;

/**
 * Sign-in state shared by every instance: one row per signed-in session (revoked at sign-out), and the
 * failed password attempts per account and per client address (server/auth/sign-in-attempts.ts).
 */
export function sessionsMigration(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('auth_session')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('email', 'text', (col) => col.notNull())
        .addColumn('provider', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('expires_at', 'bigint', (col) => col.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema.createIndex('auth_session_email').on('auth_session').column('email').execute();
      await db.schema
        .createTable('sign_in_throttle')
        .addColumn('key', 'text', (col) => col.primaryKey())
        .addColumn('failures', 'integer', (col) => col.notNull())
        .addColumn('last_failure_at', 'bigint', (col) => col.notNull())
        .addColumn('blocked_until', 'bigint', (col) => col.notNull())
        .addColumn('locked', 'integer', (col) => col.notNull())
        .execute();
    },
    async down(db: AnyDb) {
      await db.schema.dropTable('sign_in_throttle').execute();
      await db.schema.dropTable('auth_session').execute();
    },
  };
}
