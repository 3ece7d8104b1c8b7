import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendAudit } from '@/server/audit/append-audit';
import type { AuditEntryInput } from '@/server/audit/audit-entry';
import { entryHash, GENESIS_HASH } from '@/server/audit/audit-hash';
import { verifyAudit } from '@/server/audit/verify-audit';
import { ServiceError } from '@/server/errors';
import { openStore } from '@/server/store/db';
import { storeOptionsFromEnv } from '@/server/store/env';
import type { AuditLogTable } from '@/server/store/schema';
import { allowTampering, createTestStore, STORE_DIALECTS, type TestStore } from './support/test-stores';

function entry(i: number): AuditEntryInput {
  return {
    actor: `user${i % 3}@example.com`,
    role: i % 2 ? 'operator' : 'admin',
    action: 'replay.start',
    target: `orders-${i}.DLT`,
    details: { count: i, reason: 'incident 42', ids: [`m-${i}`] },
    outcome: 'ok',
  };
}

async function appendMany(t: TestStore, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) await appendAudit(t.store, entry(i));
}

type Tamper = [column: keyof AuditLogTable, value: string, reason: string];
const TAMPERS: Tamper[] = [
  ['actor', 'mallory@example.com', 'hash_mismatch'],
  ['role', 'admin-ish', 'hash_mismatch'],
  ['action', 'replay.cancel', 'hash_mismatch'],
  ['target', 'payments.DLT', 'hash_mismatch'],
  ['details', '{"count":999}', 'hash_mismatch'],
  ['outcome', 'refused', 'hash_mismatch'],
  ['at', '2020-01-01T00:00:00.000Z', 'hash_mismatch'],
  ['hash', 'f'.repeat(64), 'hash_mismatch'],
  ['prev_hash', 'e'.repeat(64), 'prev_hash_mismatch'],
];

describe.each(STORE_DIALECTS)('audit chain on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createTestStore(dialect);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('verifies an empty log', async () => {
    expect(await verifyAudit(t.store)).toEqual({ ok: true, count: 0 });
  });

  it('appends entries linked by hash and verifies them across pages', async () => {
    const first = await appendAudit(t.store, entry(1));
    const second = await appendAudit(t.store, { ...entry(2), details: undefined });
    expect(first).toMatchObject({
      seq: 1,
      prevHash: GENESIS_HASH,
      actor: 'user1@example.com',
      outcome: 'ok',
    });
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(first.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(second).toMatchObject({ seq: 2, prevHash: first.hash, details: {} });
    await appendMany(t, 5);
    expect(await verifyAudit(t.store, { pageSize: 3 })).toEqual({ ok: true, count: 7 });
  });

  it('stores details as canonical JSON with sorted keys', async () => {
    await appendAudit(t.store, { ...entry(1), details: { z: 1, a: { y: [2, { d: 1, c: 2 }], b: null } } });
    const row = await t.store.db.selectFrom('audit_log').select('details').executeTakeFirstOrThrow();
    expect(row.details).toBe('{"a":{"b":null,"y":[2,{"c":2,"d":1}]},"z":1}');
  });

  it('rejects invalid entries without writing anything', async () => {
    await expect(appendAudit(t.store, { ...entry(1), actor: '' })).rejects.toBeInstanceOf(ServiceError);
    await expect(appendAudit(t.store, { ...entry(1), details: { n: Number.NaN } })).rejects.toThrow(
      /non-finite/,
    );
    expect(await verifyAudit(t.store)).toEqual({ ok: true, count: 0 });
  });

  it.each(TAMPERS)('detects a changed %s at the tampered entry', async (column, value, reason) => {
    await appendMany(t, 5);
    await allowTampering(t.store);
    await t.store.db
      .updateTable('audit_log')
      .set({ [column]: value })
      .where('seq', '=', 3)
      .execute();
    expect(await verifyAudit(t.store, { pageSize: 2 })).toEqual({
      ok: false,
      count: 2,
      brokenAt: { seq: 3, reason },
    });
  });

  it('detects a rewritten entry whose own hash was recomputed, at the next entry', async () => {
    await appendMany(t, 4);
    await allowTampering(t.store);
    const row = await t.store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '=', 2)
      .executeTakeFirstOrThrow();
    const forged = { ...row, outcome: 'refused' };
    await t.store.db
      .updateTable('audit_log')
      .set({ outcome: forged.outcome, hash: entryHash(forged) })
      .where('seq', '=', 2)
      .execute();
    expect(await verifyAudit(t.store)).toEqual({
      ok: false,
      count: 2,
      brokenAt: { seq: 3, reason: 'prev_hash_mismatch' },
    });
  });

  it('detects a deleted middle entry as a gap', async () => {
    await appendMany(t, 5);
    await allowTampering(t.store);
    await t.store.db.deleteFrom('audit_log').where('seq', '=', 3).execute();
    expect(await verifyAudit(t.store)).toEqual({ ok: false, count: 2, brokenAt: { seq: 4, reason: 'gap' } });
  });

  it('detects a deleted first entry as a gap', async () => {
    await appendMany(t, 3);
    await allowTampering(t.store);
    await t.store.db.deleteFrom('audit_log').where('seq', '=', 1).execute();
    expect(await verifyAudit(t.store)).toEqual({ ok: false, count: 0, brokenAt: { seq: 2, reason: 'gap' } });
  });

  it('cannot see a deleted last entry from the chain alone', async () => {
    // What remains is still a valid chain: only an outside record of the latest hash/count (an
    // export, a copy elsewhere) reveals that the newest entries were removed.
    await appendMany(t, 4);
    await allowTampering(t.store);
    await t.store.db.deleteFrom('audit_log').where('seq', '=', 4).execute();
    expect(await verifyAudit(t.store)).toEqual({ ok: true, count: 3 });
  });

  it('continues the chain from another connection opened from the environment', async () => {
    await appendMany(t, 2);
    const other = await openStore(storeOptionsFromEnv(t.env));
    try {
      const count = await other.db
        .selectFrom('audit_log')
        .select(sql<number>`count(*)`.as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(2);
      expect((await appendAudit(other, entry(3))).seq).toBe(3);
    } finally {
      await other.close();
    }
    expect((await appendAudit(t.store, entry(4))).seq).toBe(4);
    expect(await verifyAudit(t.store)).toEqual({ ok: true, count: 4 });
  });
});
