import 'server-only';
import type SqliteDatabase from 'better-sqlite3';
import { HASH_PROBES } from '@/lib/trace/id-hash';
import type { Store } from '@/server/store/db';
import { traceConnection } from './sqlite-trace-db';

/**
 * A row as both dialects' lookups return it, as an array in this column order (trace-queries.ts
 * reads it): no object with two dozen keys built per row, by better-sqlite3 or by pg.
 */
export type RawRow = [
  seq: number,
  eventRef: number | null,
  corrRef: number | null,
  causeRef: number | null,
  eventId: string | null,
  correlationId: string | null,
  causationId: string | null,
  eventType: string | null,
  occurredAt: number | null,
  schemaVersion: string | null,
  producer: string | null,
  summary: string,
  businessKeys: string | null,
  size: number,
  indexedAt: number,
  partition: number,
  position: number,
  messageId: string | null,
  corrSource: number | null,
  kind: 'kafka' | 'sqs',
  cluster: string,
  name: string,
  dlq: number,
];

export type RowColumn = 'event_ref' | 'corr_ref' | 'cause_ref';

const SELECT = `select e.seq, e.event_ref, e.corr_ref, e.cause_ref, ei.value, ci.value, ki.value, e.event_type,
    e.occurred_at, e.schema_version, e.producer, e.summary, e.business_keys, e.size, e.indexed_at, e.partition,
    e.position, e.message_id, e.corr_source, s.kind, s.cluster, s.name, s.dlq
  from events e join event_sources s on s.id = e.source_id
  left join trace_ids ei on ei.ref = e.event_ref
  left join trace_ids ci on ci.ref = e.corr_ref
  left join trace_ids ki on ki.ref = e.cause_ref`;

/** The ref of the id text bound last, after its HASH_PROBES hashes: null when never indexed. */
const REF = `select ref from trace_ids where hash in (${Array(HASH_PROBES).fill('?').join(', ')}) and value = ?`;

/** Parameters: each hash probe of the text, the text, then the limits. */
type ByText = SqliteDatabase.Statement<unknown[], RawRow>;

interface Lookups {
  /** Rows whose column names the text. */
  byText: Record<RowColumn, ByText>;
  /** Rows carrying the text as a business key. */
  byKey: ByText;
  /** The rows of an event id (at most the first limit) and every row of their correlations (second limit). */
  eventChain: ByText;
  /** Rows whose column holds one of a JSON array of refs. */
  byRefs: Record<RowColumn, SqliteDatabase.Statement<[string, number], RawRow>>;
}

const prepared = new WeakMap<SqliteDatabase.Database, Lookups>();

/**
 * The search's reads on SQLite, prepared once per connection: Kysely's driver prepares every
 * statement again on each call, which is most of a lookup's time here. A lookup by text is one
 * statement, the text resolved to its ref inside it: one snapshot, one pass over the page cache
 * (which SQLite empties whenever another connection has committed since).
 */
export async function sqliteLookups(store: Store): Promise<Lookups> {
  const db = await traceConnection(store);
  const known = prepared.get(db);
  if (known) return known;
  const raw = (text: string) => db.prepare<unknown[], RawRow>(text).raw(true);
  const byText = (column: RowColumn) => raw(`${SELECT} where e.${column} = (${REF}) order by e.seq limit ?`);
  const byRefs = (column: RowColumn) =>
    db
      .prepare<[string, number], RawRow>(
        `${SELECT} where e.${column} in (select value from json_each(?)) order by e.seq limit ?`,
      )
      .raw(true);
  const lookups: Lookups = {
    byText: { event_ref: byText('event_ref'), corr_ref: byText('corr_ref'), cause_ref: byText('cause_ref') },
    byKey: raw(
      `${SELECT} where e.seq in (select seq from event_keys where key_ref = (${REF})) order by e.seq limit ?`,
    ),
    eventChain:
      raw(`with seed as (select seq, corr_ref from events where event_ref = (${REF}) order by seq limit ?)
      ${SELECT} where e.seq in (select seq from seed
        union all select c.seq from events c where c.corr_ref in (select corr_ref from seed where corr_ref is not null))
      order by e.seq limit ?`),
    byRefs: { event_ref: byRefs('event_ref'), corr_ref: byRefs('corr_ref'), cause_ref: byRefs('cause_ref') },
  };
  prepared.set(db, lookups);
  return lookups;
}
