import 'server-only';
import { sql } from 'kysely';
import { idHash } from '@/lib/trace/id-hash';
import { type PgConnection, run } from './postgres-client';
import type { PreparedRow } from './prepare-rows';

const hashOf = (text: string | null) => (text === null ? null : idHash(text));

/** Business keys after an event's first, of the rows just copied: found again by their location. */
export async function insertLaterKeys(
  connection: PgConnection,
  rows: PreparedRow[],
  sourceIds: Map<string, number>,
): Promise<void> {
  const keys = rows.flatMap((r) =>
    r.keyValues.slice(1).map((value) => ({
      j: sourceIds.get(r.source) ?? 0,
      k: r.partition,
      l: r.position,
      r: idHash(value),
    })),
  );
  if (keys.length === 0) return;
  await run(
    connection,
    sql`insert into event_keys (key_ref, seq)
    select x.r, e.seq from json_to_recordset(${JSON.stringify(keys)}::json) as x(j int, k int, l bigint, r bigint)
    join events e on e.source_id = x.j and e.partition = x.k and e.position = x.l
    on conflict do nothing`,
  );
}

/**
 * One set-based statement over the batch as one JSON parameter, skipping locations already indexed.
 */
export async function insertSkippingKnown(
  connection: PgConnection,
  rows: PreparedRow[],
  sourceIds: Map<string, number>,
  now: number,
): Promise<number> {
  // JSON.stringify is native, where pg escapes array literals in JS.
  const input = JSON.stringify(
    rows.map((r) => ({
      a: hashOf(r.eventId),
      at: r.eventId,
      b: hashOf(r.correlationId),
      bt: r.correlationId,
      c: hashOf(r.causationId),
      ct: r.causationId,
      d: r.eventType,
      e: r.occurredAt,
      f: r.schemaVersion,
      g: r.producer,
      h: r.summary,
      i: r.businessKeys,
      j: sourceIds.get(r.source) ?? 0,
      k: r.partition,
      l: r.position,
      m: r.messageId,
      n: r.size,
      p: r.corrSource,
      q: hashOf(r.keyValues[0] ?? null),
      o: r.keyValues.length < 2 ? null : r.keyValues.slice(1).map((value) => idHash(value)),
    })),
  );
  // Later keys go in by the same statement, joined to the rows it inserted: nothing comes back but a count.
  const inserted = await run(
    connection,
    sql<{ n: number }>`
    with x as (select * from json_to_recordset(${input}::json)
      as x(a bigint, "at" text, b bigint, bt text, c bigint, ct text, d text, e bigint, f text, g text,
        h text, i text, j int, k int, l bigint, m text, n int, p smallint, q bigint, o json)),
    added as (insert into events (event_ref, event_id, corr_ref, correlation_id, cause_ref, causation_id,
        event_type, occurred_at, schema_version, producer, summary, business_keys, source_id, partition,
        position, message_id, size, corr_source, indexed_at, key_ref)
      select a, "at", b, bt, c, ct, d, e, f, g, h, i, j, k, l, m, n, p, ${now}::bigint, q from x
      on conflict (source_id, partition, position) do nothing
      returning seq, source_id, partition, position),
    keys as (insert into event_keys (key_ref, seq)
      select kv.ref::bigint, added.seq from added
      join x on x.j = added.source_id and x.k = added.partition and x.l = added.position
      cross join lateral json_array_elements_text(x.o) as kv(ref)
      where x.o is not null
      on conflict do nothing)
    select count(*) as n from added`,
  );
  return Number(inserted[0]?.n ?? 0);
}
