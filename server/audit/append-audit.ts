import 'server-only';
import { z } from 'zod';
import { ServiceError } from '@/server/errors';
import type { Store } from '@/server/store/db';
import { LOCK_KEYS, runExclusive } from '@/server/store/exclusive-transaction';
import type { AuditLogTable } from '@/server/store/schema';
import { expectedHash } from './audit-chain';
import { writeCheckpoint } from './audit-checkpoints';
import { type AuditContext, defaultAuditContext } from './audit-context';
import { type AuditEntry, type AuditEntryInput, toAuditEntry } from './audit-entry';
import { canonicalJson, GENESIS_HASH } from './audit-hash';

const MAX_DETAILS_BYTES = 64 * 1024;

const inputSchema = z.object({
  actor: z.string().min(1).max(320),
  role: z.string().min(1).max(64),
  action: z.string().min(1).max(128),
  target: z.string().max(2048),
  details: z.record(z.string(), z.unknown()).optional(),
  outcome: z.string().min(1).max(64),
});

/**
 * Appends one entry to the chain, signed with the current key. The read of the last entry and the insert
 * happen under one database-wide write lock, so writers in several processes still form a single unbroken
 * chain. Every `everyEntries`-th entry is checkpointed outside the database once committed.
 */
export async function appendAudit(
  store: Store,
  input: AuditEntryInput,
  context: AuditContext = defaultAuditContext(),
): Promise<AuditEntry> {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) {
    throw new ServiceError('invalid_input', `invalid audit entry: ${z.prettifyError(parsed.error)}`);
  }
  const { details, ...fields } = parsed.data;
  const detailsText = canonicalJson(details ?? {});
  if (Buffer.byteLength(detailsText) > MAX_DETAILS_BYTES) {
    throw new ServiceError('invalid_input', `audit details exceed ${MAX_DETAILS_BYTES} bytes`);
  }
  const { keyring, checkpoints } = context;
  let entry: AuditEntry;
  try {
    entry = await runExclusive(store, LOCK_KEYS.auditAppend, async (db) => {
      const last = await db
        .selectFrom('audit_log')
        .select(['seq', 'hash'])
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      const unhashed = {
        seq: (last?.seq ?? 0) + 1,
        at: new Date().toISOString(),
        ...fields,
        details: detailsText,
        prev_hash: last?.hash ?? GENESIS_HASH,
      };
      const hash = expectedHash(unhashed, keyring.current, keyring);
      if (hash === null) throw new ServiceError('internal', `no audit key for version ${keyring.current}`);
      const row: AuditLogTable = { ...unhashed, hash, key_version: keyring.current };
      await db.insertInto('audit_log').values(row).execute();
      return toAuditEntry(row);
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      // The unique seq index caught a writer that bypassed the lock: refuse rather than fork the chain.
      throw new ServiceError('conflict', 'audit sequence number already taken by a concurrent writer');
    }
    throw error;
  }
  if (entry.seq % checkpoints.everyEntries === 0) {
    const { seq, hash, at, keyVersion } = entry;
    // The entry is committed whatever happens to the file; the periodic checkpoint tries again.
    await writeCheckpoint(checkpoints.file, { seq, hash, at, keyVersion }).catch((error: unknown) => {
      console.error(`[tidewatch] audit checkpoint not written to ${checkpoints.file}:`, error);
    });
  }
  return entry;
}

function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof Error) || !('code' in error)) return false;
  return error.code === '23505' || error.code === 'SQLITE_CONSTRAINT_UNIQUE';
}
