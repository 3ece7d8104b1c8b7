import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import type { StoreDialect } from '@/server/store/db';
import { TEST_AUDIT_KEY } from '../../store/support/audit-context';
import { createTestStore, type TestStore } from '../../store/support/test-stores';

export const SECRET = 'correct horse battery staple';
/** bcrypt of SECRET at the lowest cost, so tests spend their time on the logic. */
export const HASH_OF_SECRET = bcrypt.hashSync(SECRET, 4);

type Cached = typeof globalThis & {
  __tidewatchConfig?: unknown;
  tidewatchStore?: Promise<{ close(): Promise<void> }>;
};

/**
 * Points the process's config and store at a config file and a fresh store of the given dialect, as a
 * restart would. `store` is a second connection to the same database, for the test to look with.
 */
export async function startAuthWorld(dialect: StoreDialect, yaml: string) {
  const saved = { ...process.env };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tidewatch-auth-'));
  const file = path.join(dir, 'tidewatch.config.yaml');
  writeFileSync(file, yaml);
  const t: TestStore = await createTestStore(dialect);
  process.env = {
    ...saved,
    ...t.env,
    TIDEWATCH_CONFIG: file,
    NEXTAUTH_SECRET: 'test-session-key',
    TIDEWATCH_AUDIT_KEY: TEST_AUDIT_KEY,
  };
  const cached = globalThis as Cached;
  delete cached.__tidewatchConfig;
  delete cached.tidewatchStore;
  return {
    store: t.store,
    file,
    async stop() {
      await (await cached.tidewatchStore)?.close();
      delete cached.tidewatchStore;
      delete cached.__tidewatchConfig;
      process.env = saved;
      await t.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
