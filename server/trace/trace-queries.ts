import 'server-only';
import type { BusinessKeyValue, TraceRecord } from '@/lib/trace/build-chain';
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
  const rows = await selectRows(store)
    .where(`e.${column}`, 'in', (qb) =>
      qb
        .selectFrom('trace_ids')
        .select('ref')
        .where('hash', 'in', idHashProbes(text))
        .where('value', '=', text),
    )
    .orderBy('e.seq')
    .limit(limit)
    .execute();
  return rows.map(toIndexRow);
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
  const rows =
    store.dialect === 'sqlite'
      ? await sqliteRows(store, filter, limit)
      : await postgresRows(store, filter, limit);
  return rows.map(toIndexRow);
}

async function sqliteRows(store: Store, filter: Filter, limit: number): Promise<RawRow[]> {
  const lookups = await sqliteLookups(store);
  if ('refs' in filter) return lookups.rows[filter.column].all(JSON.stringify(filter.refs), limit);
  return lookups.byKey.all(filter.keyRef, limit);
}

async function postgresRows(store: Store, filter: Filter, limit: number): Promise<RawRow[]> {
  let query = selectRows(store);
  if ('refs' in filter) query = query.where(`e.${filter.column}`, 'in', filter.refs);
  else {
    const keyRef = filter.keyRef;
    query = query.where('e.seq', 'in', (qb) =>
      qb.selectFrom('event_keys').select('seq').where('key_ref', '=', keyRef),
    );
  }
  return query.orderBy('e.seq').limit(limit).execute();
}

function selectRows(store: Store) {
  return store.db
    .selectFrom('events as e')
    .innerJoin('event_sources as s', 's.id', 'e.source_id')
    .leftJoin('trace_ids as ei', 'ei.ref', 'e.event_ref')
    .leftJoin('trace_ids as ci', 'ci.ref', 'e.corr_ref')
    .leftJoin('trace_ids as ki', 'ki.ref', 'e.cause_ref')
    .select([
      'e.seq',
      'e.event_ref',
      'e.corr_ref',
      'e.cause_ref',
      'ei.value as event_id',
      'ci.value as correlation_id',
      'ki.value as causation_id',
      'e.event_type',
      'e.occurred_at',
      'e.schema_version',
      'e.producer',
      'e.summary',
      'e.business_keys',
      'e.size',
      'e.indexed_at',
      'e.partition',
      'e.position',
      'e.message_id',
      's.kind',
      's.cluster',
      's.name',
      's.dlq',
    ]);
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
