import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendAudit } from '@/server/audit/append-audit';
import { migrateToLatest } from '@/server/store/migrate';
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
    expect(first.map((r) => [r.migrationName, r.status])).toEqual([['0001-audit-log', 'Success']]);
    expect(await migrateToLatest(t.store)).toEqual([]);
    const tables = await t.store.db.introspection.getTables();
    expect(tables.map((table) => table.name)).toContain('audit_log');
  });

  it('runs concurrent migrations in one process without failing', async () => {
    const results = await Promise.all([migrateToLatest(t.store), migrateToLatest(t.store)]);
    expect(results.flat().map((r) => r.migrationName)).toEqual(['0001-audit-log']);
  });

  it('refuses UPDATE and DELETE on audit_log at the database level', async () => {
    await migrateToLatest(t.store);
    await appendAudit(t.store, {
      actor: 'a@example.com',
      role: 'admin',
      action: 'x',
      target: 'y',
      outcome: 'ok',
    });
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
