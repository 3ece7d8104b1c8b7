import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendAudit } from '@/server/audit/append-audit';
import { runTsx } from './support/run-tsx';
import { allowTampering, createTestStore, STORE_DIALECTS, type TestStore } from './support/test-stores';

const CLI = 'scripts/audit-verify.ts';

describe.each(STORE_DIALECTS)('audit:verify CLI on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createTestStore(dialect, { migrate: false });
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('migrates an empty store and reports it intact', async () => {
    const run = await runTsx(CLI, t.env);
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(run.stdout.trim()).toBe('audit log OK: 0 entries');
  });

  it('exits 0 for an intact log and 1 naming the first broken entry', async () => {
    const run = await runTsx(CLI, t.env);
    expect(run.code).toBe(0);
    for (const outcome of ['ok', 'refused', 'ok']) {
      await appendAudit(t.store, {
        actor: 'a@example.com',
        role: 'admin',
        action: 'x',
        target: 'y',
        outcome,
      });
    }
    const intact = await runTsx(CLI, t.env);
    expect(intact, intact.stderr).toMatchObject({ code: 0 });
    expect(intact.stdout.trim()).toBe('audit log OK: 3 entries');

    await allowTampering(t.store);
    await t.store.db.updateTable('audit_log').set({ outcome: 'ok' }).where('seq', '=', 2).execute();
    const broken = await runTsx(CLI, t.env);
    expect(broken.code).toBe(1);
    expect(broken.stdout.trim()).toBe('audit log BROKEN at entry 2: hash_mismatch');
  });
});

describe('audit:verify CLI without a database', () => {
  it('exits 2 and says why when the store cannot be opened', async () => {
    const run = await runTsx(CLI, {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test',
      TIDEWATCH_DB_SCHEMA: '',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/audit verify could not run: .*ECONNREFUSED/);
  });
});
