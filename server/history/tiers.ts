import 'server-only';
import type { Kysely } from 'kysely';
import type { Database } from '@/server/store/schema';

/*
 * Storage tiers, finest first. Per series per day that is 240 raw rows (2 h at 30 s), 288 five-minute
 * buckets and 24 hourly ones, about 1,000 rows in all over 7 days. The charts read:
 *   15 min / 1 h -> raw (30 to 120 points); 24 h -> 5 min (288 points); 7 d -> 1 h (168 points).
 * Each tier keeps a margin past the longest chart it serves, so a reader whose clock runs a little
 * ahead of the worker's still finds its range in the fine tier. Nothing outlives the retention.
 */
export interface Tier {
  /** Bucket length in seconds; 0 = raw samples. */
  resolution: number;
  keepHours: number;
}

export const TIERS: readonly Tier[] = [
  { resolution: 0, keepHours: 2 },
  { resolution: 300, keepHours: 48 },
  { resolution: 3_600, keepHours: Number.POSITIVE_INFINITY },
];

export interface TierState {
  /** Buckets of this tier exist for everything before this time (null: none built yet). */
  compactedThrough: number | null;
  /** Everything before this time has been deleted from this tier (null: nothing deleted). */
  deletedBefore: number | null;
}

export async function readTierStates(db: Kysely<Database>): Promise<Map<number, TierState>> {
  const rows = await db.selectFrom('sample_tiers').selectAll().execute();
  return new Map(
    rows.map((row) => [
      row.resolution,
      { compactedThrough: row.compacted_through, deletedBefore: row.deleted_before },
    ]),
  );
}

export function tierState(states: Map<number, TierState>, resolution: number): TierState {
  return states.get(resolution) ?? { compactedThrough: null, deletedBefore: null };
}

export async function writeTierState(
  db: Kysely<Database>,
  resolution: number,
  state: Partial<TierState>,
): Promise<void> {
  const set = {
    ...(state.compactedThrough !== undefined && { compacted_through: state.compactedThrough }),
    ...(state.deletedBefore !== undefined && { deleted_before: state.deletedBefore }),
  };
  await db
    .insertInto('sample_tiers')
    .values({ resolution, compacted_through: null, deleted_before: null, ...set })
    .onConflict((oc) => oc.column('resolution').doUpdateSet(set))
    .execute();
}
