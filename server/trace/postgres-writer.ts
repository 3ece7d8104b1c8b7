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
): Promise<number> {
  if (events.length === 0) return 0;
  await trx.client.query('savepoint trace_copy');
  const later: PreparedRow[] = [];
  try {
    const lines = eventLines(events, sourceIds, now, later);
    const copied = await copyIn(trx.client, `copy events (${COPY_COLUMNS}) from stdin`, lines);
    await insertLaterKeys(trx, later, sourceIds);
    return copied;
  } catch (error) {
    if (!isLocationConflict(error)) throw error;
  }
  await trx.client.query('rollback to savepoint trace_copy');
  return insertSkippingKnown(trx, prepareBatch(events, []).rows, sourceIds, now);
}

function isLocationConflict(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string } | null;
  return e?.code === '23505' && e.constraint === 'events_location_uq';
}

/**
 * One connection per batch: measured at a million events, splitting a batch over two connections at
 * once took a quarter more server CPU per event (both backends inserting into the same indexes) and
 * ingested no faster, while it kept both cores busy under the app's searches.
 */
async function writeInTransaction(
  store: Store,
  events: readonly IndexedEvent[],
  checkpoint: WrittenCheckpoint | null,
): Promise<IndexResult> {
  const sources = sourcesOf(events, checkpoint?.positions ?? []);
  const known = knownSources.get(store) ?? new Map<string, { id: number; dlq: boolean }>();
  knownSources.set(store, known);
  const seen = new Map<string, { id: number; dlq: boolean }>();
  const result = await inTransaction(store, async (trx) => {
    await trx.client.query('set local synchronous_commit = off');
    await run(trx, sql`select pg_advisory_xact_lock_shared(${TRACE_LOCK_KEY})`);
    const now = Date.now();
    const sourceIds = await resolveSources(trx, sources, known, seen);
    const indexed = await insertRows(trx, events, sourceIds, now);
    if (checkpoint) await saveCheckpoint(trx, checkpoint, sourceIds, now);
    return { indexed, duplicates: events.length - indexed };
  });
  for (const [text, source] of seen) known.set(text, source);
  return result;
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
