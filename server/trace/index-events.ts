import 'server-only';
import { sql } from 'kysely';
import type { Store } from '@/server/store/db';
import {
  type Checkpoint,
  type CheckpointPosition,
  checkCheckpoint,
  checkEvent,
  type IndexedEvent,
} from './indexed-event';
import { writePostgresBatch } from './postgres-writer';
import { type IndexResult, latestPositions, prepareBatch } from './prepare-rows';
import { writeSqliteBatch } from './sqlite-writer';

export type { Checkpoint, CheckpointPosition, EventLocation, IndexedEvent } from './indexed-event';
export type { IndexResult } from './prepare-rows';

/** Larger calls are written as several transactions; the checkpoint goes with the last. */
export const MAX_BATCH = 20_000;

/**
 * The indexer's write path: stores each event at its location, once however often it is read, and the
 * consumer's checkpoint in the same transaction, so a restart from the checkpoint loses nothing and
 * writes nothing twice. Every event is checked first: bad input rejects the call before any write.
 */
export async function indexEvents(
  store: Store,
  events: readonly IndexedEvent[],
  checkpoint: Checkpoint | null,
): Promise<IndexResult> {
  events.forEach(checkEvent);
  checkCheckpoint(checkpoint);
  const total: IndexResult = { indexed: 0, duplicates: 0 };
  for (let start = 0; start < events.length || start === 0; start += MAX_BATCH) {
    const last = start + MAX_BATCH >= events.length;
    const saved =
      last && checkpoint ? { ...checkpoint, positions: latestPositions(checkpoint.positions) } : null;
    const slice = events.slice(start, start + MAX_BATCH);
    // PostgreSQL prepares the rows chunk by chunk as it streams them in.
    const result =
      store.dialect === 'sqlite'
        ? await writeSqliteBatch(store, prepareBatch(slice, saved?.positions ?? []), saved)
        : await writePostgresBatch(store, slice, saved);
    total.indexed += result.indexed;
    total.duplicates += result.duplicates;
    if (last) break;
  }
  return total;
}

/** Where `consumer` resumes: the positions its last indexed batch recorded. */
export async function readCheckpoint(store: Store, consumer: string): Promise<CheckpointPosition[]> {
  const rows = await store.db
    .selectFrom('event_checkpoints as c')
    .innerJoin('event_sources as s', 's.id', 'c.source_id')
    .select(['s.kind', 's.cluster', 's.name', 'c.partition', 'c.position'])
    .where('c.consumer', '=', consumer)
    .orderBy('s.kind')
    .orderBy('s.cluster')
    .orderBy('s.name')
    .orderBy('c.partition')
    .execute();
  return rows.map((r) => ({ ...r, partition: Number(r.partition) }));
}

/** Rows in the index: for tests and the benchmark. */
export async function countIndexed(store: Store): Promise<number> {
  const result = await sql<{ n: number }>`select count(*) as n from events`.execute(store.db);
  return Number(result.rows[0]?.n ?? 0);
}
