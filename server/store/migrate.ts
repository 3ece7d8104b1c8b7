import 'server-only';
import { type Kysely, type Migration, type MigrationResult, Migrator, sql } from 'kysely';
import { ServiceError } from '@/server/errors';
import type { Store } from './db';
import { LOCK_KEYS, runExclusive } from './exclusive-transaction';
import { allMigrations } from './migrations';
import type { Database } from './schema';

/**
 * Brings the schema up to date; a no-op when it already is. Runs inside one exclusive transaction
 * (BEGIN IMMEDIATE / advisory lock) so two processes starting together migrate exactly once.
 */
export async function migrateToLatest(
  store: Store,
  migrations: Record<string, Migration> = allMigrations(store.dialect),
): Promise<MigrationResult[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrateOnce(store, migrations);
    } catch (error) {
      if (!(error instanceof SetupRace) || attempt >= SETUP_ATTEMPTS) throw error;
    }
  }
}

/**
 * The Migrator finds its own tables by listing every table of every schema; on PostgreSQL a schema
 * dropped by someone else during that listing fails it. Nothing has been migrated then: try again.
 */
class SetupRace extends ServiceError {}
const SETUP_ATTEMPTS = 5;

async function migrateOnce(store: Store, migrations: Record<string, Migration>): Promise<MigrationResult[]> {
  return runExclusive(store, LOCK_KEYS.migrations, async (db) => {
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => migrations },
      migrationTableSchema: await currentSchema(store, db),
      // The surrounding transaction already makes the whole run atomic.
      disableTransactions: true,
      // Features land in their own order: a store that ran 0008 before 0007 existed still takes 0007.
      // Each migration creates or alters only its own tables, so the order between them never matters.
      allowUnorderedMigrations: true,
    });
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      const failed = results?.find((result) => result.status === 'Error')?.migrationName;
      const message = `migration ${failed ?? '(setup)'} failed: ${String(error)}`;
      if (!failed && store.dialect === 'postgres') throw new SetupRace('internal', message);
      throw new ServiceError('internal', message);
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
