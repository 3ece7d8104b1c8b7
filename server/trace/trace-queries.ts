import 'server-only';
import type { BusinessKeyValue, TraceRecord } from '@/lib/trace/build-chain';
import { correlationSourceOf } from '@/lib/trace/correlation-source';
import { idHashProbes } from '@/lib/trace/id-hash';
import type { Store } from '@/server/store/db';
import { runNamed } from './postgres-named';
import { type RawRow, type RowColumn, sqliteLookups } from './sqlite-queries';

/** An index row with the refs the search follows, next to the record the chain builder reads. */
export interface IndexRow {
  seq: number;
  eventRef: number | null;
  corrRef: number | null;
  causeRef: number | null;
  record: TraceRecord;
}

/** An id as a row names it: its ref (SQLite: dictionary ref; PostgreSQL: hash) and its text. */
export interface RowId {
  ref: number;
  text: string;
}

/** PostgreSQL keeps the id texts in the row, next to their hashes (migration 0011). */
const TEXT_COLUMN = { event_ref: 'event_id', corr_ref: 'correlation_id', cause_ref: 'causation_id' } as const;

/**
 * Rows whose `column` names `text` ('key': that carry it as a business key value), in one statement.
 * On PostgreSQL over the hash index, the text compared in the row (two texts may share a hash); on
 * SQLite the text's ref is looked up in the dictionary within the statement.
 */
export async function findRowsByText(
  store: Store,
  column: RowColumn | 'key',
  text: string,
  limit: number,
): Promise<IndexRow[]> {
  // Rows written before 0011 keep the probe their text had in the dictionary: every probe is asked.
  const probes = idHashProbes(text);
  if (store.dialect === 'sqlite') {
    const lookups = await sqliteLookups(store);
    const statement = column === 'key' ? lookups.byKey : lookups.byText[column];
    return statement.all(...probes, text, limit).map(toIndexRow);
  }
  return postgresSelect(store, PG_BY_TEXT[column], [probes, text, limit]);
}

/**
 * The rows of an event id and every row of their correlations, in one statement (a lookup by event id
 * is then one round trip). The chain is joined on the correlation its seed rows hold.
 */
export async function findEventChain(store: Store, text: string, limit: number): Promise<IndexRow[]> {
  const probes = idHashProbes(text);
  if (store.dialect === 'sqlite') {
    return (await sqliteLookups(store)).eventChain.all(...probes, text, limit, limit).map(toIndexRow);
  }
  return postgresSelect(store, PG_EVENT_CHAIN, [probes, text, limit]);
}

/** Rows whose `column` names one of `ids`, oldest first, at most `limit`. */
export async function findRows(
  store: Store,
  filter: { column: RowColumn; ids: RowId[] },
  limit: number,
): Promise<IndexRow[]> {
  if (filter.ids.length === 0) return [];
  if (store.dialect === 'sqlite') {
    const refs = JSON.stringify(filter.ids.map((id) => id.ref));
    return (await sqliteLookups(store)).byRefs[filter.column].all(refs, limit).map(toIndexRow);
  }
  const texts = [...new Set(filter.ids.map((id) => id.text))];
  return postgresSelect(store, PG_BY_IDS[filter.column], [texts.flatMap(idHashProbes), texts, limit]);
}

/** The row with its id texts (in the row since 0011) and its source; $1 hashes, $2 text(s), $3 limit. */
const pgSelect = (where: string) => `select e.seq, e.event_ref, e.corr_ref, e.cause_ref, e.event_id,
    e.correlation_id, e.causation_id, e.event_type, e.occurred_at, e.schema_version, e.producer, e.summary,
    e.business_keys, e.size, e.indexed_at, e.partition, e.position, e.message_id, e.corr_source, s.kind,
    s.cluster, s.name, s.dlq
  from events e join event_sources s on s.id = e.source_id
  where ${where} order by e.seq limit $3`;

const pgByColumn = (column: RowColumn, match: string) =>
  pgSelect(`e.${column} = any($1::bigint[]) and e.${TEXT_COLUMN[column]} ${match}`);

const PG_BY_TEXT: Record<RowColumn | 'key', string> = {
  event_ref: pgByColumn('event_ref', '= $2'),
  corr_ref: pgByColumn('corr_ref', '= $2'),
  cause_ref: pgByColumn('cause_ref', '= $2'),
  // An event's first business key is in its row (0014), any later one in event_keys.
  key: pgSelect(`(e.key_ref = any($1::bigint[])
      or e.seq in (select seq from event_keys where key_ref = any($1::bigint[])))
    and exists (select 1 from json_array_elements(e.business_keys::json) k where k->>'value' = $2)`),
};

const PG_BY_IDS: Record<RowColumn, string> = {
  event_ref: pgByColumn('event_ref', '= any($2::text[])'),
  corr_ref: pgByColumn('corr_ref', '= any($2::text[])'),
  cause_ref: pgByColumn('cause_ref', '= any($2::text[])'),
};

const PG_EVENT_CHAIN = pgSelect(`e.seq in (
    with seed as (select seq, corr_ref, correlation_id from events
      where event_ref = any($1::bigint[]) and event_id = $2 order by seq limit $3)
    select seq from seed
    union select c.seq from events c
      join (select distinct corr_ref, correlation_id from seed where corr_ref is not null) f
      on c.corr_ref = f.corr_ref and c.correlation_id = f.correlation_id)`);

async function postgresSelect(store: Store, text: string, values: unknown[]): Promise<IndexRow[]> {
  return (await runNamed<RawRow>(store, text, values)).map(toIndexRow);
}

function toIndexRow(r: RawRow): IndexRow {
  const [seq, eventRef, corrRef, causeRef, eventId, correlationId, causationId, eventType, occurredAt] = r;
  const kind = r[19];
  return {
    seq: Number(seq),
    eventRef: eventRef === null ? null : Number(eventRef),
    corrRef: corrRef === null ? null : Number(corrRef),
    causeRef: causeRef === null ? null : Number(causeRef),
    record: {
      seq: Number(seq),
      eventId,
      eventType,
      correlationId,
      causationId,
      occurredAt: occurredAt === null ? null : Number(occurredAt),
      schemaVersion: r[9],
      producer: r[10],
      correlationFrom: correlationSourceOf(r[18]),
      summary: r[11],
      businessKeys: parseKeys(r[12]),
      size: Number(r[13]),
      location: {
        kind,
        cluster: r[20],
        name: r[21],
        partition: Number(r[15]),
        offset: kind === 'kafka' ? String(r[16]) : null,
        messageId: r[17],
        dlq: Number(r[22]) === 1,
        indexedAt: Number(r[14]),
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
