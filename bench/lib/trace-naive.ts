import { type Generated, type Kysely, sql } from 'kysely';
import type { Store } from '@/server/store/db';
import type { IndexedEvent } from '@/server/trace/index-events';

/*
 * The naive correlation index the benchmark compares with: text UUID columns indexed as they come,
 * one multi-row INSERT statement per 1,000 events in its own transaction, default settings.
 */

interface NaiveDb {
  naive_events: {
    id: Generated<number>;
    event_id: string | null;
    correlation_id: string | null;
    causation_id: string | null;
    event_type: string | null;
    occurred_at: number | null;
    schema_version: string | null;
    producer: string | null;
    summary: string;
    business_keys: string | null;
    kind: string;
    cluster: string;
    name: string;
    partition: number;
    position: string;
    dlq: number;
    size: number;
    indexed_at: number;
  };
  naive_keys: { value: string; event_id: string };
}

export const NAIVE_BATCH = 1_000;

const naive = (store: Store) => store.db as unknown as Kysely<NaiveDb>;

export async function createNaiveTables(store: Store): Promise<void> {
  const id = store.dialect === 'postgres' ? sql`bigserial primary key` : sql`integer primary key`;
  await sql`create table naive_events (id ${id}, event_id text, correlation_id text, causation_id text,
    event_type text, occurred_at bigint, schema_version text, producer text, summary text not null,
    business_keys text, kind text not null, cluster text not null, name text not null, partition integer not null,
    position text not null, dlq integer not null, size integer not null, indexed_at bigint not null)`.execute(
    store.db,
  );
  await sql`create unique index naive_events_location on naive_events (kind, cluster, name, partition, position)`.execute(
    store.db,
  );
  for (const column of ['event_id', 'correlation_id', 'causation_id']) {
    await sql`create index ${sql.raw(`naive_events_${column}`)} on naive_events (${sql.ref(column)})`.execute(
      store.db,
    );
  }
  await sql`create table naive_keys (value text not null, event_id text not null)`.execute(store.db);
  await sql`create index naive_keys_value on naive_keys (value)`.execute(store.db);
}

export async function naiveIndex(store: Store, events: IndexedEvent[]): Promise<void> {
  const now = Date.now();
  for (let i = 0; i < events.length; i += NAIVE_BATCH) {
    const batch = events.slice(i, i + NAIVE_BATCH);
    await naive(store)
      .insertInto('naive_events')
      .values(
        batch.map(({ envelope: e, location: l, size }) => ({
          event_id: e.eventId,
          correlation_id: e.correlationId,
          causation_id: e.causationId,
          event_type: e.eventType,
          occurred_at: e.occurredAt,
          schema_version: e.schemaVersion,
          producer: e.producer,
          summary: e.summary,
          business_keys: JSON.stringify(e.businessKeys),
          kind: l.kind,
          cluster: l.kind === 'kafka' ? l.cluster : l.account,
          name: l.kind === 'kafka' ? l.topic : l.queue,
          partition: l.kind === 'kafka' ? l.partition : 0,
          position: l.kind === 'kafka' ? String(l.offset) : l.messageId,
          dlq: l.dlq ? 1 : 0,
          size,
          indexed_at: now,
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .execute();
    const keys = batch.flatMap(({ envelope: e }) =>
      e.eventId === null
        ? []
        : e.businessKeys.map((k) => ({ value: k.value, event_id: e.eventId as string })),
    );
    if (keys.length > 0) await naive(store).insertInto('naive_keys').values(keys).execute();
  }
}

/** The naive lookup: rows of the correlation (of the event, for an event id), ordered by time. */
export async function naiveSearch(
  store: Store,
  kind: 'correlation' | 'event',
  value: string,
): Promise<string[]> {
  const db = naive(store);
  let correlation = value;
  if (kind === 'event') {
    const row = await db
      .selectFrom('naive_events')
      .select('correlation_id')
      .where('event_id', '=', value)
      .executeTakeFirst();
    if (!row?.correlation_id) return [];
    correlation = row.correlation_id;
  }
  const rows = await db
    .selectFrom('naive_events')
    .selectAll()
    .where('correlation_id', '=', correlation)
    .orderBy('occurred_at')
    .execute();
  return rows.map((r) => r.event_id ?? '');
}

export async function naiveCount(store: Store): Promise<number> {
  const result = await sql<{ n: number }>`select count(*) as n from naive_events`.execute(store.db);
  return Number(result.rows[0]?.n ?? 0);
}
