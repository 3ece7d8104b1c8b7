import 'server-only';
import type { WorkerTask } from '@/server/worker/worker';
import { compactHistory } from './compact-history';

/** Every five minutes, the length of the finest bucket: each run builds about one bucket per series. */
export const historyCompactionTask: WorkerTask = {
  name: 'history-compaction',
  everySeconds: 300,
  async run({ store, config, now }) {
    await compactHistory(store, now, { retentionHours: config.worker.retentionHours });
  },
};
