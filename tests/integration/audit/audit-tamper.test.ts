import fs from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { appendAudit } from '@/server/audit/append-audit';
import { expectedHash } from '@/server/audit/audit-chain';
import { readCheckpoints } from '@/server/audit/audit-checkpoints';
import type { AuditContext } from '@/server/audit/audit-context';
import { entryHash, GENESIS_HASH } from '@/server/audit/audit-hash';
import type { AuditKeyring } from '@/server/audit/audit-keys';
import { checkpointHead } from '@/server/audit/checkpoint-timer';
import { verifyAudit } from '@/server/audit/verify-audit';
import type { Store } from '@/server/store/db';
import { dropAuditTriggers, tempDir, testAuditContext } from '../store/support/audit-context';
import { createTestStore, STORE_DIALECTS, type TestStore } from '../store/support/test-stores';

async function appendMany(store: Store, context: AuditContext, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) {
    await appendAudit(
      store,
      {
        actor: `user${i}@example.com`,
        role: 'operator',
        action: 'replay.start',
        target: 'orders.DLT',
        details: { i },
        outcome: 'ok',
      },
      context,
    );
  }
}

/** Rewrites every entry and its link as an attacker would, signing with `sign` (a key version, or 0). */
async function rehashChain(store: Store, version: number, keyring: AuditKeyring): Promise<void> {
  const rows = await store.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
  let prev = GENESIS_HASH;
  for (const row of rows) {
    const fields = { ...row, actor: row.seq === 2 ? 'nobody@example.com' : row.actor, prev_hash: prev };
    const hash = expectedHash(fields, version, keyring) ?? '';
    await store.db
      .updateTable('audit_log')
      .set({ actor: fields.actor, prev_hash: prev, hash, key_version: version })
      .where('seq', '=', row.seq)
      .execute();
    prev = hash;
  }
}

describe.each(STORE_DIALECTS)('audit tampering by someone with database write access, on %s', (dialect) => {
  let t: TestStore;
  let dir: string;
  let context: AuditContext;
  beforeEach(async () => {
    t = await createTestStore(dialect);
    dir = await tempDir();
    context = testAuditContext(dir, { everyEntries: 5 });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await t.cleanup();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('a chain re-hashed with a key of their own is reported at the first entry', async () => {
    await appendMany(t.store, context, 6);
    await dropAuditTriggers(t.store);
    const theirs = testAuditContext(dir, { keys: { 1: 'a-key-the-attacker-chose-0123456789' } }).keyring;
    await rehashChain(t.store, 1, theirs);
    expect(await verifyAudit(t.store, { context })).toMatchObject({
      ok: false,
      count: 0,
      problem: { kind: 'broken', seq: 1, reason: 'hash_mismatch' },
    });
  });

  it('a chain re-hashed as unkeyed SHA-256 is caught by the checkpoint it no longer matches', async () => {
    // Version 0 needs no key, so the rewritten chain links up; the checkpoint outside the database does not.
    await appendMany(t.store, context, 6);
    await dropAuditTriggers(t.store);
    await rehashChain(t.store, 0, context.keyring);
    expect(await verifyAudit(t.store, { context })).toMatchObject({
      ok: false,
      count: 4,
      unkeyed: 4,
      problem: { kind: 'checkpoint_mismatch', seq: 5 },
    });
  });

  it('the newest 3 entries deleted are reported missing at the head, from the checkpoint', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await appendMany(t.store, context, 10);
    const { checkpoints } = readCheckpoints(context.checkpoints.file);
    expect(checkpoints.map((c) => [c.seq, c.keyVersion])).toEqual([
      [5, 1],
      [10, 1],
    ]);
    // Each checkpoint is in the server log as well as in the file.
    const logged = log.mock.calls
      .map((call) => String(call[0]))
      .filter((line) => line.includes('audit checkpoint'));
    expect(logged).toHaveLength(2);
    expect(logged[1]).toContain(`"hash":"${checkpoints[1]?.hash}"`);

    await dropAuditTriggers(t.store);
    await t.store.db.deleteFrom('audit_log').where('seq', '>', 7).execute();
    expect(await verifyAudit(t.store, { context })).toMatchObject({
      ok: false,
      count: 7,
      problem: { kind: 'missing_at_head', headSeq: 7, checkpointSeq: 10, missing: 3 },
    });
  });

  it('entries after the last every-N checkpoint are covered by the periodic one', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await appendMany(t.store, context, 8);
    expect(await checkpointHead(t.store, context)).toMatchObject({ seq: 8, keyVersion: 1 });
    // Nothing new since: no second line for the same head.
    expect(await checkpointHead(t.store, context)).toBeNull();
    expect(readCheckpoints(context.checkpoints.file).checkpoints.map((c) => c.seq)).toEqual([5, 8]);
    await dropAuditTriggers(t.store);
    await t.store.db.deleteFrom('audit_log').where('seq', '>', 5).execute();
    expect((await verifyAudit(t.store, { context })).problem).toEqual({
      kind: 'missing_at_head',
      headSeq: 5,
      checkpointSeq: 8,
      missing: 3,
    });
  });

  it('an edited row is reported naming the entry, whether its hash is left or recomputed without the key', async () => {
    await appendMany(t.store, context, 6);
    await dropAuditTriggers(t.store);
    await t.store.db.updateTable('audit_log').set({ outcome: 'refused' }).where('seq', '=', 3).execute();
    expect(await verifyAudit(t.store, { context })).toMatchObject({
      ok: false,
      count: 2,
      problem: { kind: 'broken', seq: 3, reason: 'hash_mismatch' },
    });
    // Without the key the only hash they can compute is the unkeyed one: a keyed chain never goes back to it.
    const row = await t.store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '=', 3)
      .executeTakeFirstOrThrow();
    await t.store.db
      .updateTable('audit_log')
      .set({ hash: entryHash(row), key_version: 0 })
      .where('seq', '=', 3)
      .execute();
    expect((await verifyAudit(t.store, { context })).problem).toEqual({
      kind: 'broken',
      seq: 3,
      reason: 'key_downgrade',
    });
  });

  it('an edited checkpoint file is reported, line by line', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await appendMany(t.store, context, 5);
    await fs.appendFile(context.checkpoints.file, '{"seq":99,"hash":"not a hash"}\n');
    expect((await verifyAudit(t.store, { context })).problem).toEqual({
      kind: 'checkpoint_file_invalid',
      lines: [2],
    });
  });
});
