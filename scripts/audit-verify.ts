// Checks the audit log's chain, its keys and its checkpoints: `npm run audit:verify`. Exit 0 when intact,
// 1 when tampered with (a broken link, a rewritten or missing entry), 2 when the check itself could not
// run (no database, bad config, a key not set).
import { auditContext } from '@/server/audit/audit-context';
import { describeVerifyResult, verifyAudit } from '@/server/audit/verify-audit';
import { loadConfig } from '@/server/config';
import { openStore } from '@/server/store/db';
import { storeOptions } from '@/server/store/env';
import { migrateToLatest } from '@/server/store/migrate';

async function main(): Promise<number> {
  const loaded = loadConfig();
  const context = auditContext(loaded);
  const store = await openStore(storeOptions(loaded.config));
  try {
    await migrateToLatest(store);
    const result = await verifyAudit(store, { context });
    const { summary, lines } = describeVerifyResult(result);
    console.log(summary);
    for (const line of lines) console.log(`  ${line}`);
    return result.ok ? 0 : 1;
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
