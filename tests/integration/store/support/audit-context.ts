import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import type { AuditContext } from '@/server/audit/audit-context';
import type { Store } from '@/server/store/db';

/** A key as a deployment would set one: 32 characters or more. */
export const TEST_AUDIT_KEY = 'test-audit-key-0123456789abcdefghijk';

export interface AuditContextOptions {
  /** Key text by version; default `{ 1: TEST_AUDIT_KEY }`. */
  keys?: Record<number, string>;
  /** The version new entries are signed with; default the highest in `keys`. */
  current?: number;
  everyEntries?: number;
}

/** The keys and checkpoint file a config would give, with the checkpoint file in `dir`. */
export function testAuditContext(dir: string, options: AuditContextOptions = {}): AuditContext {
  const keys = options.keys ?? { 1: TEST_AUDIT_KEY };
  const versions = Object.keys(keys).map(Number);
  return {
    keyring: {
      current: options.current ?? Math.max(...versions),
      keys: new Map(Object.entries(keys).map(([v, key]) => [Number(v), Buffer.from(key, 'utf8')])),
    },
    checkpoints: {
      file: path.join(dir, 'audit-checkpoints.ndjson'),
      everyEntries: options.everyEntries ?? 100,
      intervalSeconds: 300,
    },
  };
}

export function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'tw-audit-'));
}

/** What an attacker with write access does first: drop every trigger that keeps the log append-only. */
export async function dropAuditTriggers(store: Store): Promise<void> {
  if (store.dialect === 'postgres') {
    await sql`drop trigger audit_log_append_only on audit_log`.execute(store.db);
    await sql`drop trigger audit_log_no_truncate on audit_log`.execute(store.db);
  } else {
    await sql`drop trigger audit_log_no_update`.execute(store.db);
    await sql`drop trigger audit_log_no_delete`.execute(store.db);
  }
}
