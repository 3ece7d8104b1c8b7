import 'server-only';
import type SqliteDatabase from 'better-sqlite3';
import { HASH_PROBES } from '@/lib/trace/id-hash';
import type { Store } from '@/server/store/db';
import { traceConnection } from './sqlite-trace-db';

/** A row as both dialects' queries return it (see trace-queries.ts). */
export interface RawRow {
  seq: number;
  event_ref: number | null;
  corr_ref: number | null;
  cause_ref: number | null;
  event_id: string | null;
  correlation_id: string | null;
  causation_id: string | null;
  event_type: string | null;
  occurred_at: number | null;
  schema_version: string | null;
  producer: string | null;
  summary: string;
  business_keys: string | null;
  size: number;
  indexed_at: number;
  partition: number;
  position: number;
  message_id: string | null;
  kind: 'kafka' | 'sqs';
  cluster: string;
  name: string;
  dlq: number;
  corr_source: number | null;
}

export type RowColumn = 'event_ref' | 'corr_ref' | 'cause_ref';

const SELECT = `select e.seq, e.event_ref, e.corr_ref, e.cause_ref, ei.value as event_id,
    ci.value as correlation_id, ki.value as causation_id, e.event_type, e.occurred_at, e.schema_version,
    e.producer, e.summary, e.business_keys, e.size, e.indexed_at, e.partition, e.position, e.message_id,
    e.corr_source, s.kind, s.cluster, s.name, s.dlq
  from events e join event_sources s on s.id = e.source_id
  left join trace_ids ei on ei.ref = e.event_ref
  left join trace_ids ci on ci.ref = e.corr_ref
  left join trace_ids ki on ki.ref = e.cause_ref`;

interface Lookups {
  ref: SqliteDatabase.Statement<number[], { ref: number; value: string }>;
  rows: Record<RowColumn, SqliteDatabase.Statement<[string, number], RawRow>>;
  byKey: SqliteDatabase.Statement<[number, number], RawRow>;
}

const prepared = new WeakMap<SqliteDatabase.Database, Lookups>();

/**
 * The search's reads on SQLite, prepared once per connection: Kysely's driver prepares every
 * statement again on each call, which is most of a lookup's time here.
 */
export async function sqliteLookups(store: Store): Promise<Lookups> {
  const db = await traceConnection(store);
  const known = prepared.get(db);
  if (known) return known;
  const rows = (column: RowColumn) =>
    db.prepare<[string, number], RawRow>(
      `${SELECT} where e.${column} in (select value from json_each(?)) order by e.seq limit ?`,
    );
  const lookups: Lookups = {
    ref: db.prepare(
      `select ref, value from trace_ids where hash in (${Array(HASH_PROBES).fill('?').join(', ')})`,
    ),
    rows: { event_ref: rows('event_ref'), corr_ref: rows('corr_ref'), cause_ref: rows('cause_ref') },
    byKey: db.prepare(
      `${SELECT} where e.seq in (select seq from event_keys where key_ref = ?) order by e.seq limit ?`,
    ),
  };
  prepared.set(db, lookups);
  return lookups;
}
