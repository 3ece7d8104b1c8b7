import 'server-only';
import { startAuditCheckpoints } from '@/server/audit/checkpoint-timer';
import { recordPeerAddresses } from '@/server/auth/peer-address';
import { ConfigError, getConfig } from '@/server/config';
import { watchConfig } from '@/server/config/watch-config';
import { startIndexerInProcess } from '@/server/indexer/in-process';
import { replayDeps } from '@/server/replay/replay-deps-from-config';
import { startReplayRunnerInApp } from '@/server/replay/replay-runner';
import { getStore } from '@/server/store/get-store';
import { startInAppWorker } from '@/server/worker/in-app';

/**
 * A bad config stops start-up with its errors; the store is opened and migrated before the first request,
 * then the worker starts here unless it runs as its own process.
 */
async function start() {
  try {
    const { source } = getConfig();
    console.log(`[tidewatch] config: ${source ?? 'embedded demo (no tidewatch.config.yaml)'}`);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  recordPeerAddresses();
  watchConfig();
  const store = await getStore();
  console.log(`[tidewatch] store: ${store.dialect}`);
  startAuditCheckpoints(store);
  startInAppWorker(store, getConfig().config);
  startIndexerInProcess(store, getConfig().config, true);
  // Whatever worker.inApp says: every instance may send a confirmed replay (its lease picks one).
  startReplayRunnerInApp(replayDeps);
}

await start();
