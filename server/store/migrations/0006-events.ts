import 'server-only';
import { type Kysely, type Migration, sql } from 'kysely';
import type { StoreDialect } from '../db';

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on today's schema type.
type AnyDb = Kysely<any>;

/**
 * The correlation index (server/trace/). Every id text (event, correlation, causation, business key)
 * lives once in `trace_ids` and is referred to by a dense `ref` handed out in arrival order: new refs
 * land at the right edge of every index, where random UUID keys would touch a random page each.
 * One `events` row per location, so an event read from its topic and from a DLQ is one event id at two
 * locations; `(source_id, partition, position)` makes re-reading a location a no-op.
 */
export function eventsMigration(dialect: StoreDialect): Migration {
  const pg = dialect === 'postgres';
  const serial = pg ? sql`bigint generated always as identity primary key` : sql`integer primary key`;
  const smallSerial = pg ? sql`integer generated always as identity primary key` : sql`integer primary key`;
  const withoutRowid = pg ? sql`` : sql`without rowid`;
  return {
    async up(db: AnyDb) {
      await sql`create table trace_ids (
        ref ${serial},
        hash bigint not null,
        value text not null
      )`.execute(db);
      await sql`create unique index trace_ids_hash_uq on trace_ids (hash)`.execute(db);
      await sql`create table event_sources (
        id ${smallSerial},
        kind text not null,
        cluster text not null,
        name text not null,
        dlq integer not null
      )`.execute(db);
      await sql`create unique index event_sources_uq on event_sources (kind, cluster, name)`.execute(db);
      await sql`create table events (
        seq ${serial},
        event_ref bigint,
        corr_ref bigint,
        cause_ref bigint,
        event_type text,
        occurred_at bigint,
        schema_version text,
        producer text,
        summary text not null,
        business_keys text,
        source_id integer not null,
        partition integer not null,
        position bigint not null,
        message_id text,
        size integer not null,
        indexed_at bigint not null
      )`.execute(db);
      await sql`create unique index events_location_uq on events (source_id, partition, position)`.execute(
        db,
      );
      for (const column of ['event_ref', 'corr_ref', 'cause_ref']) {
        await sql`create index ${sql.raw(`events_${column}_idx`)} on events (${sql.ref(column)})
          where ${sql.ref(column)} is not null`.execute(db);
      }
      await sql`create table event_keys (
        key_ref bigint not null,
        seq bigint not null,
        primary key (key_ref, seq)
      ) ${withoutRowid}`.execute(db);
      // Retention deletes keys by the event's seq.
      await sql`create index event_keys_seq_idx on event_keys (seq)`.execute(db);
      await sql`create table event_checkpoints (
        consumer text not null,
        source_id integer not null,
        partition integer not null,
        position text not null,
        updated_at bigint not null,
        primary key (consumer, source_id, partition)
      )`.execute(db);
    },
    async down(db: AnyDb) {
      for (const table of ['event_checkpoints', 'event_keys', 'events', 'event_sources', 'trace_ids']) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}
