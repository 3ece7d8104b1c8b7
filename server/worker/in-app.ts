import 'server-only';
import type { TidewatchConfig } from '@/lib/config/schema';
import type { Store } from '@/server/store/db';
import { workerTasks } from './tasks';
import { type RunningWorker, startWorker } from './worker';

const cache = globalThis as typeof globalThis & { tidewatchWorker?: RunningWorker };

/**
 * The worker inside the app's process when `worker.inApp` is set; never while `next build` loads
 * the app, and once per process however often start-up runs (hot reloads).
 */
export function startInAppWorker(store: Store, config: TidewatchConfig): void {
  if (!config.worker.inApp || process.env.NEXT_PHASE === 'phase-production-build' || cache.tidewatchWorker) {
    return;
  }
  const worker = startWorker({ store, config, tasks: workerTasks() });
  cache.tidewatchWorker = worker;
  // Next exits on SIGTERM once its requests are done; if that comes first, the lease simply expires.
  process.once('SIGTERM', () => {
    worker.stop().catch((error: unknown) => console.error('[worker] stop failed:', error));
  });
}
