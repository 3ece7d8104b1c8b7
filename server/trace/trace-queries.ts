import 'server-only';
import { type RawBuilder, sql } from 'kysely';
import type { BusinessKeyValue, TraceRecord } from '@/lib/trace/build-chain';
import { correlationSourceOf } from '@/lib/trace/correlation-source';
import { idHashProbes } from '@/lib/trace/id-hash';
import { ServiceError } from '@/server/errors';
import type { Store } from '@/server/store/db';
import { runNamed } from './postgres-named';
import { type RawRow, sqliteLookups } from './sqlite-queries';

/** An index row with the refs the search follows, next to the record the chain builder reads. */
export interface IndexRow {
  seq: number;
  eventRef: number | null;
  corrRef: number | null;
  causeRef: number | null;
  record: TraceRecord;
}

type Column = 'event_ref' | 'corr_ref' | 'cause_ref';
/** An id as a row names it: its ref (SQLite: dictionary ref; PostgreSQL: hash) and its text. */
export interface RowId {
  ref: number;
  text: string;
}
type Filter = { column: Column; ids: RowId[] } | { keyRef: number };

/** PostgreSQL keeps the id texts in the row, next to their hashes (migration 0011). */
const TEXT_COLUMN = { event_ref: 'event_id', corr_ref: 'correlation_id', cause_ref: 'causation_id' } as const;

/**
 * Rows whose `column` names `text` ('key': that carry it as a business key value). On PostgreSQL one
 * statement over the hash index, the text compared in the row (two texts may share a hash); on SQLite
 * the text's ref first, in-process.
 */
export async function findRowsByText(
  store: Store,
  column: Column | 'key',
  text: string,
  limit: number,
): Promise<IndexRow[]> {
  if (store.dialect === 'sqlite') {
    const ref = await findRef(store, text);
    if (ref === null) return [];
    return findRows(store, column === 'key' ? { keyRef: ref } : { column, ids: [{ ref, text }] }, limit);
  }
  // Rows written before 0011 keep the probe their text had in the dictionary: every probe is asked.
  // An event's first business key is in its row (0014), any later one in event_keys.
  const probes = idHashProbes(text);
  const where =
    column === 'key'
      ? sql`(e.key_ref = any(${probes}::bigint[])
            or e.seq in (select seq from event_keys where key_ref = any(${probes}::bigint[])))
          and exists (select 1 from json_array_elements(e.business_keys::json) k where k->>'value' = ${text})`
      : sql`e.${sql.ref(column)} = any(${probes}::bigint[]) and e.${sql.ref(TEXT_COLUMN[column])} = ${text}`;
  return postgresSelect(store, where, limit);
}

/**
 * PostgreSQL: the rows of an event id and every row of their correlations, in one statement (a lookup
 * by event id is then one round trip). The chain is joined on the hash and text its seed rows hold.
 */
export async function findEventChain(store: Store, text: string, limit: number): Promise<IndexRow[]> {
  const probes = idHashProbes(text);
  return postgresSelect(
    store,
    sql`e.seq in (
      with seed as (select seq, corr_ref, correlation_id from events
        where event_ref = any(${probes}::bigint[]) and event_id = ${text} order by seq limit ${limit})
      select seq from seed
      union select c.seq from events c
        join (select distinct corr_ref, correlation_id from seed where corr_ref is not null) f
        on c.corr_ref = f.corr_ref and c.correlation_id = f.correlation_id)`,
    limit,
  );
}

/** SQLite: the ref of an id text, or null when the index never saw it. */
async function findRef(store: Store, text: string): Promise<number | null> {
  const rows = (await sqliteLookups(store)).ref.all(...idHashProbes(text));
  const row = rows.find((r) => r.value === text);
  return row ? Number(row.ref) : null;
}

/** Rows matching the filter, oldest first, at most `limit`. */
export async function findRows(store: Store, filter: Filter, limit: number): Promise<IndexRow[]> {
  if ('ids' in filter && filter.ids.length === 0) return [];
  if (store.dialect === 'postgres') return postgresRows(store, filter, limit);
  return (await sqliteRows(store, filter, limit)).map(toIndexRow);
}

async function sqliteRows(store: Store, filter: Filter, limit: number): Promise<RawRow[]> {
  const lookups = await sqliteLookups(store);
  if ('ids' in filter) {
    return lookups.rows[filter.column].all(JSON.stringify(filter.ids.map((id) => id.ref)), limit);
  }
  return lookups.byKey.all(filter.keyRef, limit);
}

function postgresRows(store: Store, filter: Filter, limit: number): Promise<IndexRow[]> {
  if (!('ids' in filter))
    throw new ServiceError('internal', 'PostgreSQL business keys are looked up by text');
  const texts = [...new Set(filter.ids.map((id) => id.text))];
  const probes = texts.flatMap(idHashProbes);
  return postgresSelect(
    store,
    sql`e.${sql.ref(filter.column)} = any(${probes}::bigint[])
      and e.${sql.ref(TEXT_COLUMN[filter.column])} = any(${texts}::text[])`,
    limit,
  );
}

/** The row with its id texts (in the row since 0011) and its source. */
async function postgresSelect(store: Store, where: RawBuilder<unknown>, limit: number): Promise<IndexRow[]> {
  const rows = await runNamed(
    store,
    sql<RawRow>`select e.seq, e.event_ref, e.corr_ref, e.cause_ref, e.event_id,
      e.correlation_id, e.causation_id, e.event_type, e.occurred_at, e.schema_version, e.producer, e.summary, e.business_keys, e.size,
      e.indexed_at, e.partition, e.position, e.message_id, e.corr_source, s.kind, s.cluster, s.name, s.dlq
    from events e join event_sources s on s.id = e.source_id
    where ${where} order by e.seq limit ${limit}`,
  );
  return rows.map(toIndexRow);
}

function toIndexRow(r: RawRow): IndexRow {
  return {
    seq: Number(r.seq),
    eventRef: r.event_ref === null ? null : Number(r.event_ref),
    corrRef: r.corr_ref === null ? null : Number(r.corr_ref),
    causeRef: r.cause_ref === null ? null : Number(r.cause_ref),
    record: {
      seq: Number(r.seq),
      eventId: r.event_id,
      eventType: r.event_type,
      correlationId: r.correlation_id,
      causationId: r.causation_id,
      occurredAt: r.occurred_at === null ? null : Number(r.occurred_at),
      schemaVersion: r.schema_version,
      producer: r.producer,
      correlationFrom: correlationSourceOf(r.corr_source),
      summary: r.summary,
      businessKeys: parseKeys(r.business_keys),
      size: Number(r.size),
      location: {
        kind: r.kind,
        cluster: r.cluster,
        name: r.name,
        partition: Number(r.partition),
        offset: r.kind === 'kafka' ? String(r.position) : null,
        messageId: r.message_id,
        dlq: Number(r.dlq) === 1,
        indexedAt: Number(r.indexed_at),
      },
    },
  };
}

function parseKeys(text: string | null): BusinessKeyValue[] {
  if (text === null) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? (parsed as BusinessKeyValue[]) : [];
  } catch {
    return [];
  }
}
