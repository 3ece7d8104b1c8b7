import 'server-only';
import { type Kysely, sql } from 'kysely';
import { idHash } from '@/lib/trace/id-hash';
import { ServiceError } from '@/server/errors';
import type { Store } from '@/server/store/db';
import type { Database } from '@/server/store/schema';
import { type CheckpointPosition, sourceKeyText } from './indexed-event';
import { COPY_COLUMNS, copyIn, eventLines } from './postgres-copy';
import type { IndexResult, PreparedBatch, PreparedRow } from './prepare-rows';

/** Writers hold it shared, retention exclusively: a ref read by a batch is never pruned under it. */
export const TRACE_LOCK_KEY = 0x7469_6410;

interface WrittenCheckpoint {
  consumer: string;
  positions: CheckpointPosition[];
}

/**
 * One transaction per batch: the events streamed in with COPY, their first business key in the row
 * (migration 0014). Ids go in as text with their hash (migration 0011): no dictionary to resolve
 * first. Commit is asynchronous: a crash can lose the last batches, but their checkpoint goes with
 * them, so the consumer reads them again.
 */
export async function writePostgresBatch(
  store: Store,
  batch: PreparedBatch,
  checkpoint: WrittenCheckpoint | null,
): Promise<IndexResult> {
  const result = await writeInTransaction(store, batch, checkpoint);
  await analyzeAsItGrows(store, result.indexed);
  return result;
}

const growth = new WeakMap<Store, { written: number; analyzeAt: number }>();

/**
 * The search's plans need the planner to know how big these tables have grown: on a fresh table with
 * autovacuum off or behind, stale statistics made lookups several times slower. Analyzed each time
 * this process's writes grow fourfold (8 times up to a million rows); ANALYZE does not block writers.
 */
async function analyzeAsItGrows(store: Store, indexed: number): Promise<void> {
  const state = growth.get(store) ?? { written: 0, analyzeAt: 1_000 };
  growth.set(store, state);
  state.written += indexed;
  if (state.written < state.analyzeAt) return;
  state.analyzeAt = state.written * 4;
  await sql`analyze events, event_keys`.execute(store.db);
}

/** Source ids this process saw committed, with their DLQ flag: sources are never deleted. */
const knownSources = new WeakMap<Store, Map<string, { id: number; dlq: boolean }>>();

const hashOf = (text: string | null) => (text === null ? null : idHash(text));

/**
 * COPY first (measured: about half the server CPU per event of an INSERT … ON CONFLICT over the batch
 * as JSON). COPY cannot skip a location already indexed: a batch holding one (a re-read, a duplicate
 * within the batch) fails on the location index, is rolled back to before it, and goes in by the
 * statement that skips them.
 */
async function insertRows(
  trx: Kysely<Database>,
  rows: PreparedRow[],
  sourceIds: Map<string, number>,
  now: number,
): Promise<number> {
  if (rows.length === 0) return 0;
  await sql`savepoint trace_copy`.execute(trx);
  try {
    const copied = await copyIn(
      trx,
      `copy events (${COPY_COLUMNS}) from stdin`,
      eventLines(rows, sourceIds, now),
    );
    await insertLaterKeys(trx, rows, sourceIds);
    return copied;
  } catch (error) {
    if (!isLocationConflict(error)) throw error;
  }
  await sql`rollback to savepoint trace_copy`.execute(trx);
  return insertSkippingKnown(trx, rows, sourceIds, now);
}

function isLocationConflict(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string } | null;
  return e?.code === '23505' && e.constraint === 'events_location_uq';
}

/** Business keys after an event's first, of the rows just copied: found again by their location. */
async function insertLaterKeys(
  trx: Kysely<Database>,
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
  await sql`insert into event_keys (key_ref, seq)
    select x.r, e.seq from json_to_recordset(${JSON.stringify(keys)}::json) as x(j int, k int, l bigint, r bigint)
    join events e on e.source_id = x.j and e.partition = x.k and e.position = x.l
    on conflict do nothing`.execute(trx);
}

/** One set-based statement over the batch as one JSON parameter, skipping locations already indexed. */
async function insertSkippingKnown(
  trx: Kysely<Database>,
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
  const inserted = await sql<{ n: number }>`
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
    select count(*) as n from added`.execute(trx);
  return Number(inserted.rows[0]?.n ?? 0);
}

async function writeInTransaction(
  store: Store,
  batch: PreparedBatch,
  checkpoint: WrittenCheckpoint | null,
): Promise<IndexResult> {
  const known = knownSources.get(store) ?? new Map<string, { id: number; dlq: boolean }>();
  knownSources.set(store, known);
  const seen = new Map<string, { id: number; dlq: boolean }>();
  const result = await store.db.transaction().execute(async (trx) => {
    await sql`set local synchronous_commit = off`.execute(trx);
    await sql`select pg_advisory_xact_lock_shared(${TRACE_LOCK_KEY})`.execute(trx);
    const now = Date.now();
    const sourceIds = await resolveSources(trx, batch, known, seen);
    const indexed = await insertRows(trx, batch.rows, sourceIds, now);
    if (checkpoint) await saveCheckpoint(trx, checkpoint, sourceIds, now);
    return { indexed, duplicates: batch.rows.length - indexed };
  });
  for (const [text, source] of seen) known.set(text, source);
  return result;
}

async function saveCheckpoint(
  trx: Kysely<Database>,
  checkpoint: WrittenCheckpoint,
  sourceIds: Map<string, number>,
  now: number,
): Promise<void> {
  const positions = checkpoint.positions;
  if (positions.length === 0) return;
  await sql`insert into event_checkpoints (consumer, source_id, partition, position, updated_at)
    select ${checkpoint.consumer}, c.source_id, c.partition, c.position, ${now}::bigint
    from unnest(${positions.map((p) => sourceIds.get(sourceKeyText(p)) ?? 0)}::int[],
      ${positions.map((p) => p.partition)}::int[], ${positions.map((p) => p.position)}::text[])
      as c(source_id, partition, position)
    on conflict (consumer, source_id, partition) do update
    set position = excluded.position, updated_at = excluded.updated_at`.execute(trx);
}

async function resolveSources(
  trx: Kysely<Database>,
  batch: PreparedBatch,
  known: Map<string, { id: number; dlq: boolean }>,
  seen: Map<string, { id: number; dlq: boolean }>,
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const [text, source] of batch.sources) {
    const cached = known.get(text);
    if (cached && (cached.dlq || !source.dlq)) {
      ids.set(text, cached.id);
      continue;
    }
    const dlq = source.dlq ? 1 : 0;
    // do update (not nothing) so the row comes back; a source once seen as a DLQ stays one.
    const row = await sql<{ id: number; dlq: number }>`insert into event_sources (kind, cluster, name, dlq)
      values (${source.kind}, ${source.cluster}, ${source.name}, ${dlq})
      on conflict (kind, cluster, name) do update set dlq = greatest(event_sources.dlq, excluded.dlq)
      returning id, dlq`.execute(trx);
    const found = row.rows[0];
    if (found === undefined) throw new ServiceError('internal', `no id for source ${source.name}`);
    ids.set(text, found.id);
    seen.set(text, { id: found.id, dlq: Number(found.dlq) === 1 });
  }
  return ids;
}
