import 'server-only';
import { historyCompactionTask } from '@/server/history/compaction-task';
import type { WorkerTask } from './worker';

/** What the worker runs each tick, in this order; compaction last, after the tasks that write samples. */
export function workerTasks(): WorkerTask[] {
  return [historyCompactionTask];
}
