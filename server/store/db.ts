import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { ServiceError } from '@/server/errors';
import type { Database } from './schema';

// Why Kysely: one typed query builder and ONE migration set serve both SQLite and PostgreSQL;
// Drizzle would need a separate schema definition (and migrations) per dialect.

export type StoreDialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: StoreDialect;
  /**
   * PostgreSQL only: a pooled connection lent for `fn`, released once it settles (closed instead when
   * `fn` fails: it may be left inside a transaction or a COPY). For what Kysely cannot send: COPY, named
   * prepared statements. SQLite throws `unsupported`.
   */
  withPgClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** PostgreSQL connection string; when absent the store is SQLite. */
  databaseUrl?: string;
  /** SQLite file, created with its folder when missing. */
  sqlitePath?: string;
  /** PostgreSQL schema to create and use as the search_path of every pooled connection. */
  schema?: string;
}

export const DEFAULT_SQLITE_PATH = './data/tidewatch.db';
const BUSY_TIMEOUT_MS = 5_000;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const INT8_OID = 20;

export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.schema);
  return openSqlite(options.sqlitePath ?? DEFAULT_SQLITE_PATH);
}

function openSqlite(file: string): Store {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const database = new SqliteDatabase(file);
  // busy_timeout first: switching to WAL takes a lock another process may hold.
  database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  database.pragma('journal_mode = WAL');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return {
    db,
    dialect: 'sqlite',
    withPgClient: () =>
      Promise.reject(new ServiceError('unsupported', 'the store is SQLite, not PostgreSQL')),
    close: () => db.destroy(),
  };
}

async function openPostgres(connectionString: string, schema: string | undefined): Promise<Store> {
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new ServiceError('invalid_input', `invalid PostgreSQL schema name: ${schema}`);
  }
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    // Set at connect time, so every pooled connection resolves tables in the chosen schema.
    options: schema ? `-c search_path=${schema}` : undefined,
    // Counts and bigint ids fit in a JS number; parse them as such for this pool only.
    types: {
      getTypeParser: (id, format) => (id === INT8_OID ? Number : pg.types.getTypeParser(id, format)),
    },
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const store: Store = {
    db,
    dialect: 'postgres',
    withPgClient: (fn) => lend(pool, fn),
    close: () => db.destroy(),
  };
  if (schema) {
    try {
      await createSchema(db, schema);
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return store;
}

async function lend<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let failed = false;
  try {
    return await fn(client);
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    client.release(failed);
  }
}

async function createSchema(db: Kysely<Database>, schema: string): Promise<void> {
  try {
    await db.schema.createSchema(schema).ifNotExists().execute();
  } catch (error) {
    // Two processes creating the same schema at once: the loser sees a duplicate, which is fine.
    const exists = await sql<{
      n: number;
    }>`select count(*) as n from pg_namespace where nspname = ${schema}`.execute(db);
    if (exists.rows[0]?.n !== 1) throw error;
  }
}
