import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendAudit } from '@/server/audit/append-audit';
import { migrateToLatest } from '@/server/store/migrate';
import { allMigrations } from '@/server/store/migrations/index';
import { tempDir, testAuditContext } from './support/audit-context';
import { createTestStore, STORE_DIALECTS, type TestStore } from './support/test-stores';

describe.each(STORE_DIALECTS)('migrations on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createTestStore(dialect, { migrate: false });
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('applies every migration once and is a no-op when run again', async () => {
    const first = await migrateToLatest(t.store);
    const names = Object.keys(allMigrations(dialect));
    expect(names[0]).toBe('0001-audit-log');
    // Listed in the order they run, so a new one added out of order fails here.
    expect(names).toEqual([...names].sort());
    expect(first.map((r) => [r.migrationName, r.status])).toEqual(names.map((n) => [n, 'Success']));
    expect(await migrateToLatest(t.store)).toEqual([]);
    const tables = await t.store.db.introspection.getTables();
    expect(tables.map((table) => table.name)).toEqual(
      expect.arrayContaining(['audit_log', 'fleet_view', 'samples', 'worker_lease']),
    );
  });

  it('applies a migration listed before ones the store already ran (features land in their own order)', async () => {
    const all = allMigrations(dialect);
    const names = Object.keys(all);
    const middle = names[names.length - 2] ?? '';
    const { [middle]: _later, ...earlier } = all;
    await migrateToLatest(t.store, earlier);
    expect((await migrateToLatest(t.store)).map((r) => [r.migrationName, r.status])).toEqual([
      [middle, 'Success'],
    ]);
  });

  it('runs concurrent migrations in one process without failing', async () => {
    const results = await Promise.all([migrateToLatest(t.store), migrateToLatest(t.store)]);
    expect(results.flat().map((r) => r.migrationName)).toEqual(Object.keys(allMigrations(dialect)));
  });

  it('refuses UPDATE and DELETE on audit_log at the database level', async () => {
    await migrateToLatest(t.store);
    await appendAudit(
      t.store,
      {
        actor: 'a@example.com',
        role: 'admin',
        action: 'x',
        target: 'y',
        outcome: 'ok',
      },
      testAuditContext(await tempDir()),
    );
    const db = t.store.db;
    await expect(db.updateTable('audit_log').set({ actor: 'evil@example.com' }).execute()).rejects.toThrow(
      /append-only/,
    );
    await expect(db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/);
    if (dialect === 'postgres') {
      await expect(sql`truncate audit_log`.execute(db)).rejects.toThrow(/append-only/);
    }
    const rows = await db.selectFrom('audit_log').select('actor').execute();
    expect(rows).toEqual([{ actor: 'a@example.com' }]);
  });
});
