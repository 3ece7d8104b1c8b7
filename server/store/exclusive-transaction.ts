import 'server-only';
import { type Kysely, sql } from 'kysely';
import type { Store } from './db';
import type { Database } from './schema';

/** Advisory lock keys on PostgreSQL: one per kind of serialised write, constant across processes. */
export const LOCK_KEYS = {
  migrations: 0x7469_6401,
  auditAppend: 0x7469_6402,
  history: 0x7469_6403,
} as const;

const MAX_ATTEMPTS = 5;

/**
 * Runs `work` in a transaction that holds the database-wide write lock for `lockKey` from its first
 * statement, so a read-then-write inside it cannot interleave with another process.
 * SQLite: BEGIN IMMEDIATE (the file's write lock). PostgreSQL: pg_advisory_xact_lock(lockKey).
 * `work` gets a connection-bound Kysely (not a Transaction) so tools such as the Migrator run inside.
 */
export async function runExclusive<T>(
  store: Store,
  lockKey: number,
  work: (db: Kysely<Database>) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.db.connection().execute((db) => runLocked(store, db, lockKey, work));
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || !isRetryable(error)) throw error;
      await sleep(20 * attempt + Math.random() * 30);
    }
  }
}

async function runLocked<T>(
  store: Store,
  db: Kysely<Database>,
  lockKey: number,
  work: (db: Kysely<Database>) => Promise<T>,
): Promise<T> {
  if (store.dialect === 'sqlite') {
    await sql`begin immediate`.execute(db);
  } else {
    await sql`begin`.execute(db);
  }
  try {
    if (store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${lockKey})`.execute(db);
    const result = await work(db);
    await sql`commit`.execute(db);
    return result;
  } catch (error) {
    await sql`rollback`.execute(db).catch(() => undefined);
    throw error;
  }
}

/** Lock contention past the busy timeout, or a lost race on a unique key: worth another try. */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error) || !('code' in error)) return false;
  const code = String(error.code);
  return code.startsWith('SQLITE_BUSY') || code === '40001' || code === '40P01';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
