import 'server-only';
import { type Kysely, sql } from 'kysely';
import { ServiceError } from '@/server/errors';
import type { Store } from '@/server/store/db';
import { LOCK_KEYS, runExclusive } from '@/server/store/exclusive-transaction';
import type { Database } from '@/server/store/schema';
import { readTierStates, TIERS, tierState, writeTierState } from './tiers';

const HOUR_MS = 3_600_000;
/** A snapshot is stamped when it starts and written when every broker has answered: wait that long. */
const GRACE_MS = 2 * 60_000;

/** Downsamples older raw samples into coarser tiers (avg value, min, max) and deletes what is past retention. Idempotent. */
export async function compactHistory(
  store: Store,
  nowMs: number,
  opts: { retentionHours: number },
): Promise<{ downsampled: number; deleted: number }> {
  if (!Number.isSafeInteger(nowMs) || nowMs < 0) {
    throw new ServiceError('invalid_input', `nowMs must be epoch milliseconds, got ${nowMs}`);
  }
  if (!(opts.retentionHours > 0) || !Number.isFinite(opts.retentionHours)) {
    throw new ServiceError('invalid_input', `retentionHours must be positive, got ${opts.retentionHours}`);
  }
  let downsampled = 0;
  for (let tier = 1; tier < TIERS.length; tier++) downsampled += await buildTier(store, tier, nowMs);
  const deleted = await dropExpired(store, nowMs, opts.retentionHours * HOUR_MS);
  return { downsampled, deleted };
}

/**
 * Builds a tier's complete buckets from the tier below, from where it stopped last time; the
 * watermark moves in the same transaction, so a run that fails or repeats builds nothing twice.
 */
function buildTier(store: Store, tier: number, nowMs: number): Promise<number> {
  const resolution = TIERS[tier]?.resolution ?? 0;
  const source = TIERS[tier - 1]?.resolution ?? 0;
  const bucketMs = resolution * 1000;
  return runExclusive(store, LOCK_KEYS.history, async (db) => {
    const states = await readTierStates(db);
    const start = tierState(states, resolution).compactedThrough;
    let end = Math.floor((nowMs - GRACE_MS) / bucketMs) * bucketMs;
    if (source > 0) {
      const sourceThrough = tierState(states, source).compactedThrough;
      if (sourceThrough === null) return 0;
      end = Math.min(end, Math.floor(sourceThrough / bucketMs) * bucketMs);
    }
    if (start !== null && end <= start) return 0;
    const inserted = await insertBuckets(db, resolution, source, start, end);
    await writeTierState(db, resolution, { compactedThrough: end });
    return inserted;
  });
}

async function insertBuckets(
  db: Kysely<Database>,
  resolution: number,
  source: number,
  start: number | null,
  end: number,
): Promise<number> {
  const bucketMs = sql.lit(resolution * 1000);
  const since = start === null ? sql`` : sql`and at >= ${start}`;
  const select =
    source === 0
      ? sql`select ${sql.lit(resolution)}, series_id, (at / ${bucketMs}) * ${bucketMs} as bucket,
          avg(value), min(value), max(value), count(*)
        from samples where at < ${end} ${since}`
      : sql`select ${sql.lit(resolution)}, series_id, (at / ${bucketMs}) * ${bucketMs} as bucket,
          sum(value * n) / sum(n), min(min), max(max), sum(n)
        from sample_rollups where resolution = ${sql.lit(source)} and at < ${end} ${since}`;
  const result = await sql`
    insert into sample_rollups (resolution, series_id, at, value, min, max, n)
    ${select} group by series_id, bucket
    on conflict do nothing`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Each tier keeps its own span, never dropping what the next tier has not yet taken in; nothing
 * outlives the retention.
 */
function dropExpired(store: Store, nowMs: number, retentionMs: number): Promise<number> {
  return runExclusive(store, LOCK_KEYS.history, async (db) => {
    const states = await readTierStates(db);
    let deleted = 0;
    for (const [i, { resolution, keepHours }] of TIERS.entries()) {
      const next = TIERS[i + 1];
      const absorbed = next ? (tierState(states, next.resolution).compactedThrough ?? -Infinity) : Infinity;
      let cut = Math.max(Math.min(nowMs - keepHours * HOUR_MS, absorbed), nowMs - retentionMs);
      if (resolution > 0) cut = Math.floor(cut / (resolution * 1000)) * resolution * 1000;
      const before = tierState(states, resolution).deletedBefore;
      if (before !== null && cut <= before) continue;
      const result =
        resolution === 0
          ? await db.deleteFrom('samples').where('at', '<', cut).executeTakeFirst()
          : await db
              .deleteFrom('sample_rollups')
              .where('resolution', '=', resolution)
              .where('at', '<', cut)
              .executeTakeFirst();
      deleted += Number(result.numDeletedRows);
      await writeTierState(db, resolution, { deletedBefore: cut });
    }
    return deleted;
  });
}
