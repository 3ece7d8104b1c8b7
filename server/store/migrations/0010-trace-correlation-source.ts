import 'server-only';
import { type Kysely, type Migration, sql } from 'kysely';
import type { StoreDialect } from '../db';

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on today's schema type.
type AnyDb = Kysely<any>;

/**
 * Where an event's correlation id came from (lib/trace/correlation-source.ts): null for an id the
 * envelope states, else a small code for the trace header it was read from (1 W3C traceparent, 2 AWS
 * X-Ray, 3 B3), so the chain view can say "correlation from traceparent". Adding a nullable column
 * without a default rewrites no rows on either dialect.
 *
 * On PostgreSQL the index retention deletes business keys by (`event_keys (seq)`) becomes a BRIN index:
 * keys are written in seq order, so block ranges summarize it exactly, at a fraction of a B-tree entry's
 * cost per event written.
 */
export function traceCorrelationSourceMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: AnyDb) {
      await sql`alter table events add column corr_source smallint`.execute(db);
      if (dialect === 'postgres') {
        await sql`drop index event_keys_seq_idx`.execute(db);
        await sql`create index event_keys_seq_idx on event_keys using brin (seq)`.execute(db);
      }
    },
    async down(db: AnyDb) {
      await sql`alter table events drop column corr_source`.execute(db);
      if (dialect === 'postgres') {
        await sql`drop index event_keys_seq_idx`.execute(db);
        await sql`create index event_keys_seq_idx on event_keys (seq)`.execute(db);
      }
    },
  };
}
