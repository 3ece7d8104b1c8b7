import fs from 'node:fs/promises';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendAudit } from '@/server/audit/append-audit';
import { expectedHash } from '@/server/audit/audit-chain';
import type { AuditContext } from '@/server/audit/audit-context';
import type { AuditEntryInput } from '@/server/audit/audit-entry';
import { GENESIS_HASH } from '@/server/audit/audit-hash';
import { verifyAudit } from '@/server/audit/verify-audit';
import { ServiceError } from '@/server/errors';
import { openStore } from '@/server/store/db';
import { storeOptionsFromEnv } from '@/server/store/env';
import type { AuditLogTable } from '@/server/store/schema';
import { tempDir, testAuditContext } from './support/audit-context';
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

let context: AuditContext;
let dir: string;

async function appendMany(t: TestStore, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) await appendAudit(t.store, entry(i), context);
}

const verify = (t: TestStore, pageSize?: number) => verifyAudit(t.store, { context, pageSize });
const intact = (count: number) => ({ ok: true, count, problem: null });
const brokenAt = (count: number, seq: number, reason: string) => ({
  ok: false,
  count,
  problem: { kind: 'broken', seq, reason },
});

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
    dir = await tempDir();
    context = testAuditContext(dir);
  });
  afterEach(async () => {
    await t.cleanup();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('verifies an empty log', async () => {
    expect(await verify(t)).toMatchObject(intact(0));
  });

  it('appends entries linked by hash and verifies them across pages', async () => {
    const first = await appendAudit(t.store, entry(1), context);
    const second = await appendAudit(t.store, { ...entry(2), details: undefined }, context);
    expect(first).toMatchObject({
      seq: 1,
      prevHash: GENESIS_HASH,
      actor: 'user1@example.com',
      outcome: 'ok',
      keyVersion: 1,
    });
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(first.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(second).toMatchObject({ seq: 2, prevHash: first.hash, details: {} });
    await appendMany(t, 5);
    expect(await verify(t, 3)).toMatchObject({
      ...intact(7),
      keyVersions: [{ version: 1, fromSeq: 1, toSeq: 7 }],
      unkeyed: 0,
    });
  });

  it('stores details as canonical JSON with sorted keys', async () => {
    await appendAudit(
      t.store,
      { ...entry(1), details: { z: 1, a: { y: [2, { d: 1, c: 2 }], b: null } } },
      context,
    );
    const row = await t.store.db.selectFrom('audit_log').select('details').executeTakeFirstOrThrow();
    expect(row.details).toBe('{"a":{"b":null,"y":[2,{"c":2,"d":1}]},"z":1}');
  });

  it('rejects invalid entries without writing anything', async () => {
    await expect(appendAudit(t.store, { ...entry(1), actor: '' }, context)).rejects.toBeInstanceOf(
      ServiceError,
    );
    await expect(appendAudit(t.store, { ...entry(1), details: { n: Number.NaN } }, context)).rejects.toThrow(
      /non-finite/,
    );
    expect(await verify(t)).toMatchObject(intact(0));
  });

  it.each(TAMPERS)('detects a changed %s at the tampered entry', async (column, value, reason) => {
    await appendMany(t, 5);
    await allowTampering(t.store);
    await t.store.db
      .updateTable('audit_log')
      .set({ [column]: value })
      .where('seq', '=', 3)
      .execute();
    expect(await verify(t, 2)).toMatchObject(brokenAt(2, 3, reason));
  });

  it('detects a rewritten entry whose own hash was recomputed with the key, at the next entry', async () => {
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
      .set({ outcome: forged.outcome, hash: expectedHash(forged, 1, context.keyring) ?? '' })
      .where('seq', '=', 2)
      .execute();
    expect(await verify(t)).toMatchObject(brokenAt(2, 3, 'prev_hash_mismatch'));
  });

  it('detects a deleted middle entry as a gap', async () => {
    await appendMany(t, 5);
    await allowTampering(t.store);
    await t.store.db.deleteFrom('audit_log').where('seq', '=', 3).execute();
    expect(await verify(t)).toMatchObject(brokenAt(2, 4, 'gap'));
  });

  it('detects a deleted first entry as a gap', async () => {
    await appendMany(t, 3);
    await allowTampering(t.store);
    await t.store.db.deleteFrom('audit_log').where('seq', '=', 1).execute();
    expect(await verify(t)).toMatchObject(brokenAt(0, 2, 'gap'));
  });

  it('cannot see a deleted last entry from the chain alone, without a checkpoint', async () => {
    // What remains is still a valid chain: only the checkpoints outside the database (audit-tamper
    // tests) reveal that the newest entries were removed.
    await appendMany(t, 4);
    await allowTampering(t.store);
    await t.store.db.deleteFrom('audit_log').where('seq', '=', 4).execute();
    expect(await verify(t)).toMatchObject({ ...intact(3), checkpoint: { exists: false, latest: null } });
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
      expect((await appendAudit(other, entry(3), context)).seq).toBe(3);
    } finally {
      await other.close();
    }
    expect((await appendAudit(t.store, entry(4), context)).seq).toBe(4);
    expect(await verify(t)).toMatchObject(intact(4));
  });
});
