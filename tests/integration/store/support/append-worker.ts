// Child process for the concurrency test: opens the store named by the environment, prints `ready`,
// waits for a line on stdin so it starts together with its peer, then migrates and appends
// APPEND_COUNT entries as APPEND_ACTOR.
import { appendAudit } from '@/server/audit/append-audit';
import { openStore } from '@/server/store/db';
import { storeOptionsFromEnv } from '@/server/store/env';
import { migrateToLatest } from '@/server/store/migrate';

async function main(): Promise<void> {
  const count = Number(process.env.APPEND_COUNT ?? '100');
  const actor = process.env.APPEND_ACTOR ?? 'worker@example.com';
  const store = await openStore(storeOptionsFromEnv());
  try {
    const go = new Promise((resolve) => process.stdin.once('data', resolve));
    console.log('ready');
    await go;
    process.stdin.pause();
    await migrateToLatest(store);
    for (let i = 1; i <= count; i++) {
      await appendAudit(store, {
        actor,
        role: 'operator',
        action: 'replay.message',
        target: 'orders.DLT',
        details: { i, pid: process.pid },
        outcome: 'ok',
      });
      // Real writers do other work between entries; without a pause SQLite's busy back-off lets
      // one process finish all its appends before the other wakes, and nothing interleaves.
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  } finally {
    await store.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
