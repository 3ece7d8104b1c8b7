import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { appendAudit } from '@/server/audit/append-audit';
import type { AuditContext } from '@/server/audit/audit-context';
import { dropAuditTriggers, TEST_AUDIT_KEY, tempDir, testAuditContext } from './support/audit-context';
import { runTsx } from './support/run-tsx';
import { createTestStore, STORE_DIALECTS, type TestStore } from './support/test-stores';

const CLI = 'scripts/audit-verify.ts';
const OLD_KEY = 'the-key-before-the-rotation-0123456789';

/** A real config file: the audit keys by env name, the checkpoint file in `dir`. */
async function writeConfig(dir: string, audit: string): Promise<string> {
  const file = path.join(dir, 'tidewatch.config.yaml');
  await fs.writeFile(
    file,
    `auth:\n  github: { clientId: x, clientSecretEnv: GH }\naudit:\n${audit}  checkpoints: { everyEntries: 4, path: ${path.join(dir, 'audit-checkpoints.ndjson')} }\n`,
  );
  return file;
}

describe.each(STORE_DIALECTS)('audit:verify CLI on %s', (dialect) => {
  let t: TestStore;
  let dir: string;
  let env: Record<string, string>;
  let context: AuditContext;
  beforeEach(async () => {
    t = await createTestStore(dialect, { migrate: false });
    dir = await tempDir();
    const config = await writeConfig(dir, '  keyEnv: TW_AUDIT_KEY\n');
    env = { ...t.env, TIDEWATCH_CONFIG: config, GH: 'x', NEXTAUTH_SECRET: 'x', TW_AUDIT_KEY: TEST_AUDIT_KEY };
    context = testAuditContext(dir, { everyEntries: 4 });
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await t.cleanup();
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function append(n: number, into: AuditContext = context): Promise<void> {
    for (let i = 0; i < n; i++) {
      await appendAudit(
        t.store,
        { actor: 'a@example.com', role: 'admin', action: 'x', target: 'y', outcome: 'ok' },
        into,
      );
    }
  }

  it('migrates an empty store and reports it intact', async () => {
    const run = await runTsx(CLI, env);
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(run.stdout.split('\n')[0]).toBe('audit log OK: 0 entries');
    expect(run.stdout).toContain(`no checkpoint yet (no file at ${context.checkpoints.file})`);
  });

  it('exits 0 for an intact log, with the key version of its entries and the last checkpoint', async () => {
    expect((await runTsx(CLI, env)).code).toBe(0);
    await append(5);
    const run = await runTsx(CLI, env);
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(
      /^audit log OK: 5 entries\n {2}entries 1-5: key version 1\n {2}last checkpoint: entry 4 \(key version 1\), written \S+Z\n$/,
    );
  });

  it('exits 1 naming the first edited entry', async () => {
    expect((await runTsx(CLI, env)).code).toBe(0);
    await append(3);
    await dropAuditTriggers(t.store);
    await t.store.db.updateTable('audit_log').set({ outcome: 'refused' }).where('seq', '=', 2).execute();
    const run = await runTsx(CLI, env);
    expect(run, run.stderr).toMatchObject({ code: 1 });
    expect(run.stdout.split('\n')[0]).toBe('audit log BROKEN at entry 2: hash_mismatch');
  });

  it('exits 1 when the newest entries were deleted, from the checkpoint', async () => {
    expect((await runTsx(CLI, env)).code).toBe(0);
    await append(8);
    await dropAuditTriggers(t.store);
    await t.store.db.deleteFrom('audit_log').where('seq', '>', 5).execute();
    const run = await runTsx(CLI, env);
    expect(run, run.stderr).toMatchObject({ code: 1 });
    expect(run.stdout.split('\n')[0]).toBe(
      'audit log BROKEN: 3 entries missing at the head (last is 5, checkpoint at 8)',
    );
  });

  it('exits 1 against the wrong key, and 2 when the key is not set', async () => {
    expect((await runTsx(CLI, env)).code).toBe(0);
    await append(2);
    const wrong = await runTsx(CLI, { ...env, TW_AUDIT_KEY: 'some-other-key-of-enough-length-0000' });
    expect(wrong, wrong.stderr).toMatchObject({ code: 1 });
    expect(wrong.stdout.split('\n')[0]).toBe('audit log BROKEN at entry 1: hash_mismatch');
    const unset = await runTsx(CLI, { ...env, TW_AUDIT_KEY: '' });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(
      /audit verify could not run: [\s\S]*audit\.keyEnv: environment variable TW_AUDIT_KEY is not set/,
    );
  });

  it('after a rotation reports which key version signed which entries, the old ones still verified', async () => {
    expect((await runTsx(CLI, env)).code).toBe(0);
    await append(3, testAuditContext(dir, { keys: { 1: OLD_KEY }, everyEntries: 4 }));
    await append(2, testAuditContext(dir, { keys: { 1: OLD_KEY, 2: TEST_AUDIT_KEY }, everyEntries: 4 }));
    const rotated = await writeConfig(
      dir,
      '  keyEnv: TW_AUDIT_KEY\n  keyVersion: 2\n  previousKeys: [{ version: 1, keyEnv: TW_AUDIT_KEY_V1 }]\n',
    );
    const run = await runTsx(CLI, { ...env, TIDEWATCH_CONFIG: rotated, TW_AUDIT_KEY_V1: OLD_KEY });
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(run.stdout).toContain(
      'audit log OK: 5 entries\n  entries 1-3: key version 1\n  entries 4-5: key version 2\n',
    );
  });
});

describe('audit:verify CLI without a database', () => {
  it('exits 2 and says why when the store cannot be opened', async () => {
    const run = await runTsx(CLI, {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test',
      TIDEWATCH_DB_SCHEMA: '',
      TIDEWATCH_AUDIT_KEY: TEST_AUDIT_KEY,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/audit verify could not run: .*ECONNREFUSED/);
  });
});
