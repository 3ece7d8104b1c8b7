import 'server-only';
import type { AuditLogTable } from '@/server/store/schema';
import { entryHash, entryMac, GENESIS_HASH, type HashedFields } from './audit-hash';
import type { AuditKeyring } from './audit-keys';

/**
 * `unknown_key`: signed by a key version the config does not list. `key_downgrade`: a lower key version
 * than the entry before (after a rotation only the new key signs; an old, perhaps leaked, key must not).
 */
export type ChainBreak = 'hash_mismatch' | 'prev_hash_mismatch' | 'gap' | 'unknown_key' | 'key_downgrade';

/** The hash an entry must carry: plain SHA-256 for version 0, else HMAC under that version's key. */
export function expectedHash(fields: HashedFields, version: number, keyring: AuditKeyring): string | null {
  if (version === 0) return entryHash(fields);
  const key = keyring.keys.get(version);
  return key ? entryMac(fields, version, key) : null;
}

/**
 * Why `row` does not follow `previous` (null for the first row), or null when it does.
 * A gap is reported on the first entry after the missing ones.
 */
export function checkLink(
  previous: Pick<AuditLogTable, 'seq' | 'hash' | 'key_version'> | null,
  row: AuditLogTable,
  keyring: AuditKeyring,
): ChainBreak | null {
  const expectedSeq = previous ? previous.seq + 1 : 1;
  if (row.seq !== expectedSeq) return 'gap';
  if (row.prev_hash !== (previous ? previous.hash : GENESIS_HASH)) return 'prev_hash_mismatch';
  if (previous && row.key_version < previous.key_version) return 'key_downgrade';
  const expected = expectedHash(row, row.key_version, keyring);
  if (expected === null) return 'unknown_key';
  if (row.hash !== expected) return 'hash_mismatch';
  return null;
}
