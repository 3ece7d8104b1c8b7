import 'server-only';
import { ConfigError, getConfig } from '@/server/config';
import { replayDepsFor } from '@/server/replay/replay-deps-from-config';
import { startReplayRunner } from '@/server/replay/replay-runner';
import { getStore } from '@/server/store/get-store';
import { startWorker, type WorkerTask } from './worker';

/**
 * The worker as a process of its own: config and store as the app loads them, then the worker until
 * SIGTERM or SIGINT, which finish the running tick and release the lease. A second signal kills.
 */
export async function runWorkerProcess(tasks: () => WorkerTask[]): Promise<void> {
  let config: ReturnType<typeof getConfig>['config'];
  try {
    config = getConfig().config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exitCode = 1;
    return;
  }
  const store = await getStore();
  const worker = startWorker({ store, config, tasks: tasks() });
  // Replays run beside the tick, not in it: one job can take minutes. The config may be reloaded.
  const replays = startReplayRunner({ deps: () => replayDepsFor(getConfig().config, store) });
  console.log(`[worker] started on ${store.dialect}, a tick every ${config.worker.sampleIntervalSeconds} s`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  console.log(`[worker] ${signal}: finishing the running tick and replay batch`);
  await Promise.all([worker.stop(), replays.stop()]);
  await store.close();
}
