import fs from 'node:fs/promises';
import { Migrator } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendAudit } from '@/server/audit/append-audit';
import type { AuditContext } from '@/server/audit/audit-context';
import { entryHash, GENESIS_HASH } from '@/server/audit/audit-hash';
import { verifyAudit } from '@/server/audit/verify-audit';
import type { Store } from '@/server/store/db';
import { migrateToLatest } from '@/server/store/migrate';
import { allMigrations } from '@/server/store/migrations/index';
import { tempDir, testAuditContext } from '../store/support/audit-context';
import { createTestStore, STORE_DIALECTS, type TestStore } from '../store/support/test-stores';

const KEY_1 = 'first-audit-key-0123456789abcdefghij';
const KEY_2 = 'second-audit-key-0123456789abcdefghi';

/** The store as it was before the chain was keyed: every migration up to the one adding key versions. */
async function migrateBeforeKeys(t: TestStore): Promise<void> {
  const all = allMigrations(t.store.dialect);
  const before = Object.fromEntries(Object.entries(all).filter(([name]) => name < '0008-audit-keys'));
  const migrator = new Migrator({
    db: t.store.db,
    provider: { getMigrations: async () => before },
    migrationTableSchema: t.env.TIDEWATCH_DB_SCHEMA || undefined,
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}

/** Entries as the unkeyed code wrote them: SHA-256 over the entry and the previous hash. */
async function appendUnkeyed(store: Store, n: number): Promise<void> {
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const fields = {
      seq,
      at: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
      actor: 'old@example.com',
      role: 'admin',
      action: 'auth.sign_in',
      target: 'console',
      details: '{}',
      outcome: 'ok',
      prev_hash: prev,
    };
    prev = entryHash(fields);
    // biome-ignore lint/suspicious/noExplicitAny: the table as it was, without today's key_version column.
    await (store.db as any)
      .insertInto('audit_log')
      .values({ ...fields, hash: prev })
      .execute();
  }
}

describe.each(STORE_DIALECTS)('audit keys and rotation on %s', (dialect) => {
  let t: TestStore;
  let dir: string;
  let v1: AuditContext;
  let v2: AuditContext;
  beforeEach(async () => {
    t = await createTestStore(dialect, { migrate: false });
    dir = await tempDir();
    v1 = testAuditContext(dir, { keys: { 1: KEY_1 } });
    v2 = testAuditContext(dir, { keys: { 1: KEY_1, 2: KEY_2 } });
  });
  afterEach(async () => {
    await t.cleanup();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const entry = (actor: string) => ({
    actor,
    role: 'operator',
    action: 'replay.start',
    target: 'orders.DLT',
    outcome: 'ok',
  });

  it('keeps entries from before keys verifiable as version 0, and old keys verifying after a rotation', async () => {
    await migrateBeforeKeys(t);
    await appendUnkeyed(t.store, 3);
    await migrateToLatest(t.store);
    expect(await verifyAudit(t.store, { context: v1 })).toMatchObject({
      ok: true,
      count: 3,
      unkeyed: 3,
      keyVersions: [{ version: 0, fromSeq: 1, toSeq: 3 }],
    });

    for (const actor of ['a@example.com', 'b@example.com']) await appendAudit(t.store, entry(actor), v1);
    // Rotation: the new key signs from here on; the old one stays listed to verify what it signed.
    const rotated = await appendAudit(t.store, entry('c@example.com'), v2);
    await appendAudit(t.store, entry('d@example.com'), v2);
    expect(rotated).toMatchObject({ seq: 6, keyVersion: 2 });

    const rows = await t.store.db
      .selectFrom('audit_log')
      .select(['seq', 'key_version'])
      .orderBy('seq')
      .execute();
    expect(rows.map((r) => r.key_version)).toEqual([0, 0, 0, 1, 1, 2, 2]);
    expect(await verifyAudit(t.store, { context: v2, pageSize: 2 })).toMatchObject({
      ok: true,
      count: 7,
      unkeyed: 3,
      problem: null,
      keyVersions: [
        { version: 0, fromSeq: 1, toSeq: 3 },
        { version: 1, fromSeq: 4, toSeq: 5 },
        { version: 2, fromSeq: 6, toSeq: 7 },
      ],
    });

    // Dropping the old key from the config leaves what it signed unverifiable, named at its first entry.
    const withoutOld = testAuditContext(dir, { keys: { 2: KEY_2 } });
    expect((await verifyAudit(t.store, { context: withoutOld })).problem).toEqual({
      kind: 'broken',
      seq: 4,
      reason: 'unknown_key',
    });
    const wrongOld = testAuditContext(dir, { keys: { 1: 'not-the-first-key-0123456789abcdefg', 2: KEY_2 } });
    expect((await verifyAudit(t.store, { context: wrongOld })).problem).toEqual({
      kind: 'broken',
      seq: 4,
      reason: 'hash_mismatch',
    });
  });

  it('reports an entry signed with the old key after the rotation', async () => {
    await migrateToLatest(t.store);
    await appendAudit(t.store, entry('a@example.com'), v2);
    // A writer still holding only the old (perhaps leaked) key.
    await appendAudit(t.store, entry('b@example.com'), v1);
    expect(await verifyAudit(t.store, { context: v2 })).toMatchObject({
      ok: false,
      count: 1,
      problem: { kind: 'broken', seq: 2, reason: 'key_downgrade' },
    });
  });
});
