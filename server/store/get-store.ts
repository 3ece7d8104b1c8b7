import 'server-only';
import { getConfig } from '@/server/config';
import { openStore, type Store } from './db';
import { storeOptions } from './env';
import { migrateToLatest } from './migrate';

const cache = globalThis as typeof globalThis & { tidewatchStore?: Promise<Store> };

/** The process-wide store, opened and migrated once; cached on globalThis to survive hot reloads. */
export function getStore(): Promise<Store> {
  if (!cache.tidewatchStore) {
    const opening = openMigrated();
    cache.tidewatchStore = opening;
    // A failed open must not poison the cache: the next call tries again.
    opening.catch(() => {
      if (cache.tidewatchStore === opening) cache.tidewatchStore = undefined;
    });
  }
  return cache.tidewatchStore;
}

async function openMigrated(): Promise<Store> {
  const store = await openStore(storeOptions(getConfig().config));
  try {
    await migrateToLatest(store);
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}
