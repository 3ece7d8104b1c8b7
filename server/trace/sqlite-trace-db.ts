import 'server-only';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { ServiceError } from '@/server/errors';
import type { Store } from '@/server/store/db';

type Connection = SqliteDatabase.Database;

const connections = new WeakMap<Store, Connection>();

/**
 * The correlation index's own connection to the store's SQLite file. Its writes are synchronous
 * prepared statements in one transaction per batch, and must never join a transaction another use case
 * holds open on the shared Kysely connection across an await. It closes with the store.
 */
export async function traceConnection(store: Store): Promise<Connection> {
  const open = connections.get(store);
  if (open) return open;
  const result = await sql<{
    file: string;
  }>`select file from pragma_database_list where name = 'main'`.execute(store.db);
  const file = result.rows[0]?.file;
  if (!file) throw new ServiceError('unsupported', 'the correlation index needs a SQLite file, not memory');
  const again = connections.get(store);
  if (again) return again;
  const db = new SqliteDatabase(file);
  // No busy wait: it would block this thread, and with it a transaction this process holds open on the
  // store's Kysely connection across an await. The writer retries asynchronously instead.
  db.pragma('busy_timeout = 0');
  // WAL readers never wait for the writer; NORMAL syncs at checkpoints, which WAL keeps consistent.
  db.pragma('synchronous = NORMAL');
  // Batches touch the right edge of each index and the id dictionary: keep those pages in memory.
  db.pragma('cache_size = -131072');
  // Fewer, larger checkpoints: each one writes a dirty page once however many batches changed it.
  db.pragma('wal_autocheckpoint = 10000');
  connections.set(store, db);
  const close = store.close.bind(store);
  store.close = async () => {
    connections.delete(store);
    db.close();
    await close();
  };
  return db;
}
