import fs from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '@/server/audit/verify-audit';
import { TEST_AUDIT_KEY, tempDir, testAuditContext } from './support/audit-context';
import { finished, printed, spawnTsx } from './support/run-tsx';
import { createTestStore, STORE_DIALECTS, type TestStore } from './support/test-stores';

const WORKER = 'tests/integration/store/support/append-worker.ts';
const PER_WORKER = 100;

describe.each(STORE_DIALECTS)('audit appends from two processes on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    // Not migrated: both processes migrate at the same moment, then append.
    t = await createTestStore(dialect, { migrate: false });
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('form one unbroken chain, checkpointed every 100 entries', { timeout: 45_000 }, async () => {
    // The embedded demo config (no file): the key from its env var, checkpoints in the data folder
    // (SQLite's own folder, or one made for PostgreSQL).
    const dir = t.env.TIDEWATCH_DATA_DIR || (await tempDir());
    const env = {
      ...t.env,
      TIDEWATCH_CONFIG: '',
      TIDEWATCH_DATA_DIR: dir,
      TIDEWATCH_AUDIT_KEY: TEST_AUDIT_KEY,
    };
    const workers = ['a', 'b'].map((name) =>
      spawnTsx(WORKER, { ...env, APPEND_ACTOR: `${name}@example.com`, APPEND_COUNT: String(PER_WORKER) }),
    );
    const done = Promise.all(workers.map(finished));
    // Both processes are loaded and connected before either starts: a real race, not two turns.
    await Promise.all(workers.map((worker) => printed(worker, 'ready')));
    for (const worker of workers) worker.stdin.end('go\n');
    const runs = await done;
    for (const run of runs) expect(run, run.stderr).toMatchObject({ code: 0 });

    const result = await verifyAudit(t.store, { context: testAuditContext(dir) });
    expect(result).toMatchObject({ ok: true, count: 2 * PER_WORKER, problem: null });
    expect(result.checkpoint.latest?.seq).toBe(2 * PER_WORKER);
    if (dir !== t.env.TIDEWATCH_DATA_DIR) await fs.rm(dir, { recursive: true, force: true });
    const rows = await t.store.db.selectFrom('audit_log').select(['seq', 'actor']).orderBy('seq').execute();
    expect(rows.map((row) => row.seq)).toEqual(Array.from({ length: 2 * PER_WORKER }, (_, i) => i + 1));
    expect(rows.filter((row) => row.actor === 'a@example.com')).toHaveLength(PER_WORKER);
    expect(rows.filter((row) => row.actor === 'b@example.com')).toHaveLength(PER_WORKER);
    // The two writers overlapped: the chain switches writer more than once.
    const switches = rows.filter((row, i) => i > 0 && row.actor !== rows[i - 1]?.actor).length;
    expect(switches).toBeGreaterThan(1);
  });
});
