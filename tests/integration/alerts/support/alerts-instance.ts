// Child process standing in for a second app instance: opens the store named by the environment,
// prints `ready`, waits for a line on stdin so it starts together with its peer, runs ALERTS_JOB
// (recordTransitions or deliverPending) and prints `result <json>`.
import type { TidewatchConfig } from '@/lib/config/schema';
import type { FleetView } from '@/lib/fleet/fleet-view';
import { deliverPending } from '@/server/alerts/deliver-pending';
import { recordTransitions } from '@/server/alerts/record-transitions';
import { openStore } from '@/server/store/db';
import { storeOptions } from '@/server/store/env';

export type AlertsJob =
  | { op: 'record'; config: TidewatchConfig; view: FleetView; now: number }
  | { op: 'deliver'; config: TidewatchConfig; env: Record<string, string>; now: number };

async function main(): Promise<void> {
  const job = JSON.parse(process.env.ALERTS_JOB ?? '') as AlertsJob;
  const store = await openStore(storeOptions(job.config));
  try {
    const go = new Promise((resolve) => process.stdin.once('data', resolve));
    console.log('ready');
    await go;
    process.stdin.pause();
    const result =
      job.op === 'record'
        ? await recordTransitions(store, job.view, job.config, job.now)
        : await deliverPending(store, job.config, { env: job.env, now: job.now });
    console.log(`result ${JSON.stringify(result)}`);
  } finally {
    await store.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
