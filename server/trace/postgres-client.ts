import 'server-only';
import type { Kysely, RawBuilder } from 'kysely';
import type pg from 'pg';
import type { Store } from '@/server/store/db';
import type { Database } from '@/server/store/schema';

/** A connection the store lent (Store.withPgClient) and the Kysely that compiles statements for it. */
export interface PgConnection {
  client: pg.PoolClient;
  db: Kysely<Database>;
}

/** Runs a statement built with Kysely's `sql` on the lent connection. */
export async function run<R>(connection: PgConnection, query: RawBuilder<R>): Promise<R[]> {
  const compiled = query.compile(connection.db);
  const result = await connection.client.query(compiled.sql, [...compiled.parameters]);
  return result.rows as R[];
}

/** `fn` in one transaction on a connection of its own: committed when it resolves, else rolled back. */
export function inTransaction<T>(store: Store, fn: (connection: PgConnection) => Promise<T>): Promise<T> {
  return store.withPgClient(async (client) => {
    await client.query('begin');
    let value: T;
    try {
      value = await fn({ client, db: store.db });
    } catch (error) {
      // A failed rollback leaves the connection unusable: withPgClient then closes it.
      await client.query('rollback');
      throw error;
    }
    await client.query('commit');
    return value;
  });
}
