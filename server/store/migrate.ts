import 'server-only';
import { type Kysely, type MigrationResult, Migrator, sql } from 'kysely';
import { ServiceError } from '@/server/errors';
import type { Store } from './db';
import { LOCK_KEYS, runExclusive } from './exclusive-transaction';
import { allMigrations } from './migrations';
import type { Database } from './schema';

/**
 * Brings the schema up to date; a no-op when it already is. Runs inside one exclusive transaction
 * (BEGIN IMMEDIATE / advisory lock) so two processes starting together migrate exactly once.
 */
export async function migrateToLatest(store: Store): Promise<MigrationResult[]> {
  const migrations = allMigrations(store.dialect);
  return runExclusive(store, LOCK_KEYS.migrations, async (db) => {
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => migrations },
      migrationTableSchema: await currentSchema(store, db),
      // The surrounding transaction already makes the whole run atomic.
      disableTransactions: true,
    });
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      const failed = results?.find((result) => result.status === 'Error')?.migrationName;
      throw new ServiceError('internal', `migration ${failed ?? '(setup)'} failed: ${String(error)}`);
    }
    return results ?? [];
  });
}

/**
 * PostgreSQL: the Migrator looks for its own tables in EVERY schema unless told which one, and would
 * take another schema's for ours; pin it to the schema this connection writes to.
 */
async function currentSchema(store: Store, db: Kysely<Database>): Promise<string | undefined> {
  if (store.dialect !== 'postgres') return undefined;
  const result = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = result.rows[0]?.schema;
  if (!schema) throw new ServiceError('internal', 'PostgreSQL search_path names no existing schema');
  return schema;
}
