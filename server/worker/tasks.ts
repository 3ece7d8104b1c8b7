import 'server-only';
import { alertsTask } from '@/server/alerts/alerts-task';
import { fleetSamplerTask } from '@/server/fleet/sample-fleet';
import { historyCompactionTask } from '@/server/history/compaction-task';
import { indexerTasks } from '@/server/indexer/tasks';
import type { WorkerTask } from './worker';

/**
 * What the worker runs each tick, in this order: the fleet sampler writes the view and its samples,
 * alerts judge that view's changes and send them, compaction runs after the tasks that write samples.
 */
export function workerTasks(): WorkerTask[] {
  return [fleetSamplerTask, alertsTask, historyCompactionTask, ...indexerTasks()];
}
