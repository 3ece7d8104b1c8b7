// Checks the audit log's hash chain: `npm run audit:verify`. Exit 0 when intact, 1 when broken,
// 2 when the check itself could not run (no database, bad migration).
import { verifyAudit } from '@/server/audit/verify-audit';
import { openStore } from '@/server/store/db';
import { storeOptionsFromEnv } from '@/server/store/env';
import { migrateToLatest } from '@/server/store/migrate';

async function main(): Promise<number> {
  const store = await openStore(storeOptionsFromEnv());
  try {
    await migrateToLatest(store);
    const result = await verifyAudit(store);
    if (result.ok) {
      console.log(`audit log OK: ${result.count} entries`);
      return 0;
    }
    console.log(`audit log BROKEN at entry ${result.brokenAt.seq}: ${result.brokenAt.reason}`);
    return 1;
  } finally {
    await store.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`audit verify could not run: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
