import 'server-only';
import { type Kysely, sql } from 'kysely';
import { ServiceError } from '@/server/errors';
import type { Store } from '@/server/store/db';
import type { Database } from '@/server/store/schema';
import { TRACE_LOCK_KEY } from './postgres-writer';

export interface RetentionPolicy {
  /** Drop events indexed longer ago than this. */
  maxAgeMs?: number;
  /** Keep at most this many rows, the newest. */
  maxEvents?: number;
}

export interface PruneResult {
  events: number;
  ids: number;
}

/** Rows per delete transaction: long enough to be cheap, short enough not to hold the indexer up. */
const CHUNK = 20_000;

/**
 * Retention. Rows are numbered in arrival order, so both limits are one boundary `seq`, found by
 * reading only the rows about to go (age) or the index of seqs (count), then deleted in ranges.
 * On SQLite, ids no remaining row names are dropped from the dictionary after them.
 */
export async function pruneEvents(
  store: Store,
  policy: RetentionPolicy,
  now: number = Date.now(),
): Promise<PruneResult> {
  const { maxAgeMs, maxEvents } = policy;
  if (maxAgeMs !== undefined && !(maxAgeMs >= 0))
    throw new ServiceError('invalid_input', 'maxAgeMs must be >= 0');
  if (maxEvents !== undefined && !(Number.isInteger(maxEvents) && maxEvents >= 0)) {
    throw new ServiceError('invalid_input', 'maxEvents must be a whole number >= 0');
  }
  const boundary = Math.max(
    maxAgeMs === undefined ? 0 : await ageBoundary(store.db, now - maxAgeMs),
    maxEvents === undefined ? 0 : await countBoundary(store.db, maxEvents),
  );
  const first = await store.db
    .selectFrom('events')
    .select((eb) => eb.fn.min('seq').as('seq'))
    .executeTakeFirst();
  let events = 0;
  for (let from = Number(first?.seq ?? boundary); from < boundary; from += CHUNK) {
    const to = Math.min(from + CHUNK, boundary);
    events += await exclusive(store, async (db) => {
      await db.deleteFrom('event_keys').where('seq', '<', to).execute();
      const result = await db.deleteFrom('events').where('seq', '<', to).executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }
  // PostgreSQL keeps ids in the rows (migration 0011): no dictionary to prune.
  const ids = events > 0 && store.dialect === 'sqlite' ? await pruneIds(store) : 0;
  return { events, ids };
}

/** The first seq indexed at or after `cutoff`: scans only the rows older than it. */
async function ageBoundary(db: Kysely<Database>, cutoff: number): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select('seq')
    .where('indexed_at', '>=', cutoff)
    .orderBy('seq')
    .limit(1)
    .executeTakeFirst();
  if (row) return Number(row.seq);
  const last = await db
    .selectFrom('events')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirst();
  return last?.seq === null || last?.seq === undefined ? 0 : Number(last.seq) + 1;
}

/** The seq of the `keep`-th newest row (rows below it go). */
async function countBoundary(db: Kysely<Database>, keep: number): Promise<number> {
  if (keep === 0) return ageBoundary(db, Number.MAX_SAFE_INTEGER);
  const row = await db
    .selectFrom('events')
    .select('seq')
    .orderBy('seq', 'desc')
    .limit(1)
    .offset(keep - 1)
    .executeTakeFirst();
  return row ? Number(row.seq) : 0;
}

/**
 * Refs below the oldest remaining event's own ref that no row names any more. Refs are handed out in
 * arrival order, so these are what retention left behind; a long-lived correlation's ref stays.
 */
async function pruneIds(store: Store): Promise<number> {
  const oldest = await store.db
    .selectFrom('events')
    .select('event_ref')
    .where('event_ref', 'is not', null)
    .orderBy('seq')
    .limit(1)
    .executeTakeFirst();
  const low = await store.db
    .selectFrom('trace_ids')
    .select((eb) => eb.fn.min('ref').as('ref'))
    .executeTakeFirst();
  const last = await store.db
    .selectFrom('trace_ids')
    .select((eb) => eb.fn.max('ref').as('ref'))
    .executeTakeFirst();
  const below =
    oldest?.event_ref ?? (last?.ref === null || last?.ref === undefined ? 0 : Number(last.ref) + 1);
  let deleted = 0;
  for (let from = Number(low?.ref ?? below); from < Number(below); from += CHUNK) {
    const to = Math.min(from + CHUNK, Number(below));
    deleted += await exclusive(store, async (db) => {
      const result = await sql`delete from trace_ids where ref >= ${from} and ref < ${to}
        and not exists (select 1 from events where event_ref = trace_ids.ref)
        and not exists (select 1 from events where corr_ref = trace_ids.ref)
        and not exists (select 1 from events where cause_ref = trace_ids.ref)
        and not exists (select 1 from event_keys where key_ref = trace_ids.ref)`.execute(db);
      const dropped = Number(result.numAffectedRows ?? 0);
      // The writer's cache of recent refs (sqlite-writer.ts) must not hand out a dropped one.
      if (dropped > 0) await sql`update trace_id_epoch set epoch = epoch + 1`.execute(db);
      return dropped;
    });
  }
  return deleted;
}

async function exclusive<T>(store: Store, work: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  return store.db.transaction().execute(async (trx) => {
    if (store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${TRACE_LOCK_KEY})`.execute(trx);
    return work(trx);
  });
}
