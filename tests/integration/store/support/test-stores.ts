import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { openStore, type Store, type StoreDialect } from '@/server/store/db';
import { migrateToLatest } from '@/server/store/migrate';

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const STORE_DIALECTS: readonly StoreDialect[] = ['sqlite', 'postgres'];

export interface TestStore {
  store: Store;
  /** Environment that makes `storeOptionsFromEnv` (CLI, child processes) open this same store. */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

/** A store of its own: a temp SQLite file, or a throwaway PostgreSQL schema dropped on cleanup. */
export async function createTestStore(
  dialect: StoreDialect,
  options: { migrate?: boolean } = {},
): Promise<TestStore> {
  const created = dialect === 'sqlite' ? await createSqlite() : await createPostgres();
  try {
    if (options.migrate ?? true) await migrateToLatest(created.store);
  } catch (error) {
    await created.cleanup();
    throw error;
  }
  return created;
}

async function createSqlite(): Promise<TestStore> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tw-store-'));
  const store = await openStore({ sqlitePath: path.join(dir, 'tidewatch.db') });
  return {
    store,
    env: { DATABASE_URL: '', TIDEWATCH_DB_SCHEMA: '', TIDEWATCH_DATA_DIR: dir },
    async cleanup() {
      await store.close();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

async function createPostgres(): Promise<TestStore> {
  const schema = `tw_test_${randomBytes(6).toString('hex')}`;
  const store = await openStore({ databaseUrl: POSTGRES_URL, schema });
  return {
    store,
    env: { DATABASE_URL: POSTGRES_URL, TIDEWATCH_DB_SCHEMA: schema, TIDEWATCH_DATA_DIR: '' },
    async cleanup() {
      await store.close();
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Lifts the append-only triggers so a test can tamper with the log on purpose. */
export async function allowTampering(store: Store): Promise<void> {
  if (store.dialect === 'postgres') {
    await sql`alter table audit_log disable trigger audit_log_append_only`.execute(store.db);
  } else {
    await sql`drop trigger audit_log_no_update`.execute(store.db);
    await sql`drop trigger audit_log_no_delete`.execute(store.db);
  }
}
