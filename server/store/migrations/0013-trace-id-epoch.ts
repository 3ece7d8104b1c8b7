import 'server-only';
import { type Kysely, type Migration, sql } from 'kysely';
import type { StoreDialect } from '../db';

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on today's schema type.
type AnyDb = Kysely<any>;

/**
 * SQLite only: a counter retention bumps whenever it drops ids from the `trace_ids` dictionary. The
 * index writer keeps recent id texts and their refs in memory (server/trace/sqlite-writer.ts) and
 * trusts them only while the counter reads what it read when it learned them. One row; no existing
 * row changes.
 */
export function traceIdEpochMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: AnyDb) {
      if (dialect !== 'sqlite') return;
      await sql`create table trace_id_epoch (
        id integer primary key check (id = 1),
        epoch integer not null
      )`.execute(db);
      await sql`insert into trace_id_epoch (id, epoch) values (1, 0)`.execute(db);
    },
    async down(db: AnyDb) {
      if (dialect !== 'sqlite') return;
      await sql`drop table trace_id_epoch`.execute(db);
    },
  };
}
