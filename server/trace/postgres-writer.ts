import 'server-only';
import { sql } from 'kysely';
import { ServiceError } from '@/server/errors';
import type { Store } from '@/server/store/db';
import {
  type CheckpointPosition,
  type IndexedEvent,
  type SourceKey,
  sourceKeyText,
  sourceOf,
} from './indexed-event';
import { inTransaction, type PgConnection, run } from './postgres-client';
import { COPY_COLUMNS, copyIn, eventLines } from './postgres-copy';
import { insertLaterKeys, insertSkippingKnown } from './postgres-insert';
import { type IndexResult, type PreparedRow, prepareBatch } from './prepare-rows';

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
  events: readonly IndexedEvent[],
  checkpoint: WrittenCheckpoint | null,
): Promise<IndexResult> {
  const result = await writeInTransaction(store, events, checkpoint);
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

/**
 * COPY first (measured: about half the server CPU per event of an INSERT … ON CONFLICT over the batch
 * as JSON). COPY cannot skip a location already indexed: a batch holding one (a re-read, a duplicate
 * within the batch) fails on the location index, is rolled back to before it, and goes in by the
 * statement that skips them.
 */
async function insertRows(
  trx: PgConnection,
  events: readonly IndexedEvent[],
  sourceIds: Map<string, number>,
  now: number,
  firstSeq: number | null,
): Promise<number> {
  if (events.length === 0) return 0;
  await trx.client.query('savepoint trace_copy');
  const later: PreparedRow[] = [];
  try {
    const lines = eventLines(events, sourceIds, now, later, firstSeq);
    const columns = firstSeq === null ? COPY_COLUMNS : `seq, ${COPY_COLUMNS}`;
    const copied = await copyIn(trx.client, `copy events (${columns}) from stdin`, lines);
    await insertLaterKeys(trx, later, sourceIds);
    return copied;
  } catch (error) {
    if (!isLocationConflict(error)) throw error;
  }
  await trx.client.query('rollback to savepoint trace_copy');
  return insertSkippingKnown(trx, prepareBatch(events, []).rows, sourceIds, now, firstSeq);
}

function isLocationConflict(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string } | null;
  return e?.code === '23505' && e.constraint === 'events_location_uq';
}

async function writeInTransaction(
  store: Store,
  events: readonly IndexedEvent[],
  checkpoint: WrittenCheckpoint | null,
): Promise<IndexResult> {
  const sources = sourcesOf(events, checkpoint?.positions ?? []);
  const known = knownSources.get(store) ?? new Map<string, { id: number; dlq: boolean }>();
  knownSources.set(store, known);
  const parallel = events.length >= PARALLEL_MIN && !inParallel.has(store);
  if (parallel && [...sources].some(([text, source]) => !isKnown(known.get(text), source))) {
    // The half on the other connection must name only sources already committed.
    const seen = new Map<string, { id: number; dlq: boolean }>();
    await inTransaction(store, (trx) => resolveSources(trx, sources, known, seen));
    for (const [text, source] of seen) known.set(text, source);
  }
  const seen = new Map<string, { id: number; dlq: boolean }>();
  if (parallel) inParallel.add(store);
  try {
    const result = await inTransaction(store, async (trx) => {
      await beginBatch(trx);
      const now = Date.now();
      const sourceIds = await resolveSources(trx, sources, known, seen);
      const firstSeq = parallel ? await reserveSeqs(trx, events.length) : null;
      const indexed =
        firstSeq === null
          ? await insertRows(trx, events, sourceIds, now, null)
          : await insertHalves(store, trx, events, sourceIds, now, firstSeq);
      if (checkpoint) await saveCheckpoint(trx, checkpoint, sourceIds, now);
      return { indexed, duplicates: events.length - indexed };
    });
    for (const [text, source] of seen) known.set(text, source);
    return result;
  } finally {
    if (parallel) inParallel.delete(store);
  }
}

/** Batches this large go in as two halves over two connections at once: the server work on both cores. */
const PARALLEL_MIN = 2_000;
/** One batch at a time per store holds two connections: writers never wait on each other for the pool. */
const inParallel = new WeakSet<Store>();

async function beginBatch(trx: PgConnection): Promise<void> {
  await trx.client.query('set local synchronous_commit = off');
  await run(trx, sql`select pg_advisory_xact_lock_shared(${TRACE_LOCK_KEY})`);
}

/**
 * `count` consecutive seqs, so both halves number their rows in arrival order; null when another
 * writer drew from the sequence meanwhile (the rows then take the sequence's next values one by one).
 */
async function reserveSeqs(trx: PgConnection, count: number): Promise<number | null> {
  const rows = await run(
    trx,
    sql<{ low: number; high: number }>`select min(v) as low, max(v) as high
    from (select nextval(pg_get_serial_sequence('events', 'seq')) as v from generate_series(1, ${count})) s`,
  );
  const row = rows[0];
  return row && Number(row.high) - Number(row.low) + 1 === count ? Number(row.low) : null;
}

/**
 * The first half in a transaction of its own on a second connection, the second in this one, at once.
 * The first commits only once the second's rows are in, and this one (with the checkpoint) only after
 * it: a failure of either writes neither half; a crash between the two commits leaves the first half
 * in without its checkpoint, and the re-read skips it.
 */
async function insertHalves(
  store: Store,
  trx: PgConnection,
  events: readonly IndexedEvent[],
  sourceIds: Map<string, number>,
  now: number,
  firstSeq: number,
): Promise<number> {
  const half = Math.ceil(events.length / 2);
  let decide: (commit: boolean) => void = () => {};
  const decided = new Promise<boolean>((resolve) => {
    decide = resolve;
  });
  const first = inTransaction(store, async (other) => {
    await beginBatch(other);
    const inserted = await insertRows(other, events.slice(0, half), sourceIds, now, firstSeq);
    if (!(await decided)) throw new ServiceError('internal', 'the other half of the batch failed');
    return inserted;
  });
  // Its failure is read below, once this half is done; it must not count as unhandled before then.
  first.catch(() => undefined);
  const second = await Promise.allSettled([
    insertRows(trx, events.slice(half), sourceIds, now, firstSeq + half),
  ]);
  const outcome = second[0];
  decide(outcome?.status === 'fulfilled');
  const [done] = await Promise.allSettled([first]);
  if (outcome?.status !== 'fulfilled') throw outcome?.reason;
  if (done?.status !== 'fulfilled') throw done?.reason;
  return done.value + outcome.value;
}

async function saveCheckpoint(
  trx: PgConnection,
  checkpoint: WrittenCheckpoint,
  sourceIds: Map<string, number>,
  now: number,
): Promise<void> {
  const positions = checkpoint.positions;
  if (positions.length === 0) return;
  await run(
    trx,
    sql`insert into event_checkpoints (consumer, source_id, partition, position, updated_at)
    select ${checkpoint.consumer}, c.source_id, c.partition, c.position, ${now}::bigint
    from unnest(${positions.map((p) => sourceIds.get(sourceKeyText(p)) ?? 0)}::int[],
      ${positions.map((p) => p.partition)}::int[], ${positions.map((p) => p.position)}::text[])
      as c(source_id, partition, position)
    on conflict (consumer, source_id, partition) do update
    set position = excluded.position, updated_at = excluded.updated_at`,
  );
}

/** A source is known once committed with its DLQ flag at least as set as this batch's. */
function isKnown(cached: { dlq: boolean } | undefined, source: SourceKey): boolean {
  return cached !== undefined && (cached.dlq || !source.dlq);
}

/**
 * Every source the events and the checkpoint name, as prepareBatch finds them (a source seen as a DLQ
 * anywhere in the batch stays one): known before the rows are prepared, chunk by chunk, for COPY.
 */
function sourcesOf(events: readonly IndexedEvent[], positions: CheckpointPosition[]): Map<string, SourceKey> {
  const { sources } = prepareBatch([], positions);
  for (const { location } of events) {
    const source = sourceOf(location);
    const text = sourceKeyText(source);
    const known = sources.get(text);
    if (!known || (!known.dlq && source.dlq)) sources.set(text, source);
  }
  return sources;
}

async function resolveSources(
  trx: PgConnection,
  sources: Map<string, SourceKey>,
  known: Map<string, { id: number; dlq: boolean }>,
  seen: Map<string, { id: number; dlq: boolean }>,
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const [text, source] of sources) {
    const cached = known.get(text);
    if (cached && isKnown(cached, source)) {
      ids.set(text, cached.id);
      continue;
    }
    const dlq = source.dlq ? 1 : 0;
    // do update (not nothing) so the row comes back; a source once seen as a DLQ stays one.
    const rows = await run(
      trx,
      sql<{ id: number; dlq: number }>`insert into event_sources (kind, cluster, name, dlq)
      values (${source.kind}, ${source.cluster}, ${source.name}, ${dlq})
      on conflict (kind, cluster, name) do update set dlq = greatest(event_sources.dlq, excluded.dlq)
      returning id, dlq`,
    );
    const found = rows[0];
    if (found === undefined) throw new ServiceError('internal', `no id for source ${source.name}`);
    ids.set(text, found.id);
    seen.set(text, { id: found.id, dlq: Number(found.dlq) === 1 });
  }
  return ids;
}
