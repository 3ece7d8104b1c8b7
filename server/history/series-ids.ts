import 'server-only';
import type { Store } from '@/server/store/db';

/** Names per lookup query: well inside SQLite's 32,766 and PostgreSQL's 65,535 parameters. */
const LOOKUP_CHUNK = 1_000;

// Series rows are never deleted or renumbered, so an id once seen stays true for the store's life.
const cache = new WeakMap<Store, Map<string, number>>();

const key = (metric: string, name: string) => `${metric}\u0000${name}`;

function storeCache(store: Store): Map<string, number> {
  let ids = cache.get(store);
  if (!ids) {
    ids = new Map();
    cache.set(store, ids);
  }
  return ids;
}

/** Ids of existing series of one metric, by name; unknown names are absent. */
export async function findSeriesIds(
  store: Store,
  metric: string,
  names: string[],
): Promise<Map<string, number>> {
  const ids = storeCache(store);
  const found = new Map<string, number>();
  const missing: string[] = [];
  for (const name of new Set(names)) {
    const id = ids.get(key(metric, name));
    if (id === undefined) missing.push(name);
    else found.set(name, id);
  }
  for (let i = 0; i < missing.length; i += LOOKUP_CHUNK) {
    const rows = await store.db
      .selectFrom('sample_series')
      .select(['id', 'name'])
      .where('metric', '=', metric)
      .where('name', 'in', missing.slice(i, i + LOOKUP_CHUNK))
      .execute();
    for (const row of rows) {
      ids.set(key(metric, row.name), row.id);
      found.set(row.name, row.id);
    }
  }
  return found;
}

/** Ids of series of one metric, creating the ones that do not exist yet. */
export async function ensureSeriesIds(
  store: Store,
  metric: string,
  names: string[],
): Promise<Map<string, number>> {
  const found = await findSeriesIds(store, metric, names);
  const missing = names.filter((name) => !found.has(name));
  if (missing.length === 0) return found;
  for (let i = 0; i < missing.length; i += LOOKUP_CHUNK) {
    await store.db
      .insertInto('sample_series')
      .values(missing.slice(i, i + LOOKUP_CHUNK).map((name) => ({ metric, name })))
      // Another process may create the same series at the same moment; its id is as good as ours.
      .onConflict((oc) => oc.columns(['metric', 'name']).doNothing())
      .execute();
  }
  const created = await findSeriesIds(store, metric, missing);
  for (const [name, id] of created) found.set(name, id);
  return found;
}
