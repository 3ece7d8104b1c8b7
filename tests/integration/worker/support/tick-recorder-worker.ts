// A worker process whose only task records each tick it runs in `worker_test_ticks` (pid, start,
// end): the failover test reads them back to prove no two processes ever ticked at once.

import { runWorkerProcess } from '@/server/worker/run-worker-process';
import type { WorkerTask } from '@/server/worker/worker';

const TICK_WORK_MS = 300;

const recordTick: WorkerTask = {
  name: 'record-tick',
  async run({ store }) {
    const row = await store.db
      // biome-ignore lint/suspicious/noExplicitAny: the test's own table, not in the product schema.
      .insertInto('worker_test_ticks' as any)
      .values({ pid: process.pid, started_at: Date.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await new Promise((resolve) => setTimeout(resolve, TICK_WORK_MS));
    await store.db
      // biome-ignore lint/suspicious/noExplicitAny: as above.
      .updateTable('worker_test_ticks' as any)
      .set({ ended_at: Date.now() })
      .where('id', '=', row.id)
      .execute();
  },
};

runWorkerProcess(() => [recordTick]).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
