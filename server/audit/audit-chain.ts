import 'server-only';
import type { AuditLogTable } from '@/server/store/schema';
import { entryHash, GENESIS_HASH } from './audit-hash';

export type ChainBreak = 'hash_mismatch' | 'prev_hash_mismatch' | 'gap';

/**
 * Why `row` does not follow `previous` (null for the first row), or null when it does.
 * A gap is reported on the first entry after the missing ones.
 */
export function checkLink(
  previous: Pick<AuditLogTable, 'seq' | 'hash'> | null,
  row: AuditLogTable,
): ChainBreak | null {
  const expectedSeq = previous ? previous.seq + 1 : 1;
  if (row.seq !== expectedSeq) return 'gap';
  if (row.prev_hash !== (previous ? previous.hash : GENESIS_HASH)) return 'prev_hash_mismatch';
  if (row.hash !== entryHash(row)) return 'hash_mismatch';
  return null;
}
