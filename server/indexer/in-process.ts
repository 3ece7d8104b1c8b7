import 'server-only';
import type { TidewatchConfig } from '@/lib/config/schema';
import { ConfigError, getConfig } from '@/server/config';
import type { Store } from '@/server/store/db';
import { getStore } from '@/server/store/get-store';
import { type RunningIndexer, startIndexer } from './indexer-service';

const cache = globalThis as typeof globalThis & { tidewatchIndexer?: RunningIndexer };

/**
 * The Kafka indexer beside this process's worker: in the app when `worker.inApp` is set, and in every
 * `npm run worker` process. Never while `next build` loads the app; once per process.
 */
export function startIndexerInProcess(store: Store, config: TidewatchConfig, inApp: boolean): void {
  if (inApp && !config.worker.inApp) return;
  if (process.env.NEXT_PHASE === 'phase-production-build' || cache.tidewatchIndexer) return;
  const indexer = startIndexer({ store, config });
  cache.tidewatchIndexer = indexer;
  const stop = () => {
    indexer.stop().catch((error: unknown) => console.error('[indexer] stop failed:', error));
  };
  // Leaving the group on shutdown hands its partitions over at once instead of after the session timeout.
  // In the app only SIGTERM, as the in-app worker: a SIGINT listener would keep Ctrl-C from ending Next.
  process.once('SIGTERM', stop);
  if (!inApp) process.once('SIGINT', stop);
}

/** `npm run worker`: the same store and config the worker opens (both cached per process). */
export async function startIndexerInWorkerProcess(): Promise<void> {
  try {
    startIndexerInProcess(await getStore(), getConfig().config, false);
  } catch (error) {
    // The worker reports a bad config or an unreachable store itself, and exits.
    if (!(error instanceof ConfigError)) console.error(`[indexer] could not start: ${String(error)}`);
  }
}
