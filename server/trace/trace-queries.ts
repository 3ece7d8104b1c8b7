import 'server-only';
import { type RawBuilder, sql } from 'kysely';
import type { BusinessKeyValue, TraceRecord } from '@/lib/trace/build-chain';
import { correlationSourceOf } from '@/lib/trace/correlation-source';
import { idHashProbes } from '@/lib/trace/id-hash';
import type { Store } from '@/server/store/db';
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
type Filter = { column: Column; refs: number[] } | { keyRef: number };

/**
 * Rows whose `column` names `text`. On PostgreSQL the id's ref is looked up inside the same statement,
 * one round trip instead of two; SQLite answers in-process either way.
 */
export async function findRowsByText(
  store: Store,
  column: Column,
  text: string,
  limit: number,
): Promise<IndexRow[]> {
  if (store.dialect === 'sqlite') {
    const ref = await findRef(store, text);
    return ref === null ? [] : findRows(store, { column, refs: [ref] }, limit);
  }
  const probes = idHashProbes(text);
  return postgresSelect(
    store,
    sql`e.${sql.ref(column)} = (select ref from trace_ids where hash = any(${probes}::bigint[])
      and value = ${text} limit 1)`,
    limit,
  );
}

/** The ref of an id text, or null when the index never saw it. */
export async function findRef(store: Store, text: string): Promise<number | null> {
  const probes = idHashProbes(text);
  const rows =
    store.dialect === 'sqlite'
      ? (await sqliteLookups(store)).ref.all(...probes)
      : await store.db.selectFrom('trace_ids').select(['ref', 'value']).where('hash', 'in', probes).execute();
  const row = rows.find((r) => r.value === text);
  return row ? Number(row.ref) : null;
}

/** Rows matching the filter, oldest first, at most `limit`. */
export async function findRows(store: Store, filter: Filter, limit: number): Promise<IndexRow[]> {
  if ('refs' in filter && filter.refs.length === 0) return [];
  if (store.dialect === 'postgres') return postgresRows(store, filter, limit);
  return (await sqliteRows(store, filter, limit)).map(toIndexRow);
}

async function sqliteRows(store: Store, filter: Filter, limit: number): Promise<RawRow[]> {
  const lookups = await sqliteLookups(store);
  if ('refs' in filter) return lookups.rows[filter.column].all(JSON.stringify(filter.refs), limit);
  return lookups.byKey.all(filter.keyRef, limit);
}

function postgresRows(store: Store, filter: Filter, limit: number): Promise<IndexRow[]> {
  const where =
    'refs' in filter
      ? sql`e.${sql.ref(filter.column)} = any(${filter.refs}::bigint[])`
      : sql`e.seq in (select seq from event_keys where key_ref = ${filter.keyRef})`;
  return postgresSelect(store, where, limit);
}

/**
 * The row with its id texts as scalar subqueries, not joins: the planner then has one table and the
 * small sources table to order, which took it a tenth of the time of the five-way join (planning, not
 * execution, was most of a PostgreSQL lookup).
 */
async function postgresSelect(store: Store, where: RawBuilder<unknown>, limit: number): Promise<IndexRow[]> {
  const result = await sql<RawRow>`select e.seq, e.event_ref, e.corr_ref, e.cause_ref,
      (select value from trace_ids where ref = e.event_ref) as event_id,
      (select value from trace_ids where ref = e.corr_ref) as correlation_id,
      (select value from trace_ids where ref = e.cause_ref) as causation_id,
      e.event_type, e.occurred_at, e.schema_version, e.producer, e.summary, e.business_keys, e.size,
      e.indexed_at, e.partition, e.position, e.message_id, e.corr_source, s.kind, s.cluster, s.name, s.dlq
    from events e join event_sources s on s.id = e.source_id
    where ${where} order by e.seq limit ${limit}`.execute(store.db);
  return result.rows.map(toIndexRow);
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
