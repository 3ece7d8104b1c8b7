import 'server-only';
import { type Kysely, type Migration, sql } from 'kysely';
import type { StoreDialect } from '../db';

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on today's schema type.
type AnyDb = Kysely<any>;

const ID_COLUMNS = [
  ['event_ref', 'event_id'],
  ['corr_ref', 'correlation_id'],
  ['cause_ref', 'causation_id'],
] as const;

/**
 * PostgreSQL only: the id dictionary goes. Each events row carries its id texts, and its `*_ref`
 * columns hold their 53-bit hashes (lib/trace/id-hash.ts) instead of dictionary refs; business keys
 * in `event_keys` likewise. A write is then one insert per table per batch, with no dictionary round
 * trips or rows; a lookup probes the hash index and compares the text (two texts may share a hash).
 * SQLite keeps the dictionary: refs in arrival order keep its index pages at the right edge, where
 * hashed keys scattered them over the WAL.
 *
 * Existing rows take the hash their text had in `trace_ids` (usually probe 0, which the writer now
 * always uses; readers probe every slot). Down restores the dictionary for event, correlation and
 * causation ids; business-key rows cannot be mapped back to texts without the hash, so down drops them.
 */
export function traceHashedIdsMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: AnyDb) {
      if (dialect !== 'postgres') return;
      await sql`alter table events add column event_id text, add column correlation_id text,
        add column causation_id text`.execute(db);
      for (const [ref, text] of ID_COLUMNS) {
        await sql`update events e set ${sql.ref(text)} = t.value, ${sql.ref(ref)} = t.hash
          from trace_ids t where t.ref = e.${sql.ref(ref)}`.execute(db);
      }
      await sql`update event_keys k set key_ref = t.hash from trace_ids t where t.ref = k.key_ref`.execute(
        db,
      );
      await sql`drop table trace_ids`.execute(db);
    },
    async down(db: AnyDb) {
      if (dialect !== 'postgres') return;
      await sql`create table trace_ids (
        ref bigint generated always as identity primary key,
        hash bigint not null,
        value text not null
      )`.execute(db);
      await sql`insert into trace_ids (hash, value)
        select distinct on (hash) hash, value from (
          select event_ref as hash, event_id as value from events where event_id is not null
          union all select corr_ref, correlation_id from events where correlation_id is not null
          union all select cause_ref, causation_id from events where causation_id is not null) ids
        order by hash`.execute(db);
      await sql`create unique index trace_ids_hash_uq on trace_ids (hash)`.execute(db);
      for (const [ref] of ID_COLUMNS) {
        await sql`update events e set ${sql.ref(ref)} = t.ref
          from trace_ids t where t.hash = e.${sql.ref(ref)}`.execute(db);
      }
      await sql`delete from event_keys`.execute(db);
      await sql`alter table events drop column event_id, drop column correlation_id,
        drop column causation_id`.execute(db);
    },
  };
}
