import 'server-only';
import { readLatestView } from '@/server/fleet/latest-view';
import type { WorkerTask } from '@/server/worker/worker';
import { deliverPending } from './deliver-pending';
import { recordTransitions } from './record-transitions';

/**
 * Each tick: record the changes in the latest fleet view, then send what is due, retries included (so
 * they go out on ticks that bring no new view). Safe even if two instances ran it at once.
 */
export const alertsTask: WorkerTask = {
  name: 'alerts',
  async run({ store, config, now, signal }) {
    const view = await readLatestView(store);
    if (view) await recordTransitions(store, view, config, now);
    await deliverPending(store, config, { now, signal });
  },
};
