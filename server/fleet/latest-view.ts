import 'server-only';
import type { FleetView } from '@/lib/fleet/fleet-view';
import type { Store } from '@/server/store/db';

const ROW = 'latest';

/** Replaces the stored view; readers in any instance see it on their next read. */
export async function writeLatestView(store: Store, view: FleetView): Promise<void> {
  const body = JSON.stringify(view);
  await store.db
    .insertInto('fleet_view')
    .values({ name: ROW, taken_at: view.takenAt, body })
    .onConflict((oc) => oc.column('name').doUpdateSet({ taken_at: view.takenAt, body }))
    .execute();
  cached = { takenAt: view.takenAt, view };
}

let cached: { takenAt: string; view: FleetView } | null = null;

/**
 * The latest view, or null before the worker's first snapshot. Parsed once per snapshot: polls
 * between two snapshots cost one small query for the time it was taken.
 */
export async function readLatestView(store: Store): Promise<FleetView | null> {
  const head = await store.db
    .selectFrom('fleet_view')
    .select('taken_at')
    .where('name', '=', ROW)
    .executeTakeFirst();
  if (!head) return null;
  if (cached?.takenAt === head.taken_at) return cached.view;
  const row = await store.db
    .selectFrom('fleet_view')
    .select(['taken_at', 'body'])
    .where('name', '=', ROW)
    .executeTakeFirst();
  if (!row) return null;
  const view = JSON.parse(row.body) as FleetView;
  cached = { takenAt: row.taken_at, view };
  return view;
}
