import { describe, expect, it } from 'vitest';
import { checkLink, expectedHash } from '@/server/audit/audit-chain';
import { GENESIS_HASH } from '@/server/audit/audit-hash';
import type { AuditKeyring } from '@/server/audit/audit-keys';
import type { AuditLogTable } from '@/server/store/schema';

const keyring: AuditKeyring = {
  current: 2,
  keys: new Map([
    [1, Buffer.from('one-'.repeat(8))],
    [2, Buffer.from('two-'.repeat(8))],
  ]),
};
const otherKeys: AuditKeyring = { current: 2, keys: new Map([[2, Buffer.from('evil'.repeat(8))]]) };

function row(seq: number, prevHash: string, version = 2, keys = keyring): AuditLogTable {
  const fields = {
    seq,
    at: '2024-05-01T10:00:00.000Z',
    actor: 'ann@example.com',
    role: 'admin',
    action: 'replay.start',
    target: 'orders.DLT',
    details: '{}',
    outcome: 'ok',
    prev_hash: prevHash,
  };
  const hash = expectedHash(fields, version, keys);
  if (hash === null) throw new Error(`no key ${version}`);
  return { ...fields, hash, key_version: version };
}

const first = row(1, GENESIS_HASH);
const second = row(2, first.hash);
const unkeyed = row(1, GENESIS_HASH, 0);
const v1 = row(1, GENESIS_HASH, 1);

describe('checkLink', () => {
  it.each([
    ['a first entry on the genesis hash', null, first, null],
    ['an entry following its predecessor', first, second, null],
    ['an unkeyed (version 0) first entry', null, unkeyed, null],
    ['a keyed entry after an unkeyed one', unkeyed, row(2, unkeyed.hash), null],
    ['a newer key version after an older one', v1, row(2, v1.hash, 2), null],
    ['a first entry that is not seq 1', null, row(2, GENESIS_HASH), 'gap'],
    ['a skipped seq', first, row(3, first.hash), 'gap'],
    ['a repeated seq', first, row(1, first.hash), 'gap'],
    ['a first entry not on the genesis hash', null, row(1, 'a'.repeat(64)), 'prev_hash_mismatch'],
    ['a prev_hash that is not the predecessor hash', first, row(2, 'b'.repeat(64)), 'prev_hash_mismatch'],
    ['a changed field', first, { ...second, outcome: 'failed' }, 'hash_mismatch'],
    ['a changed hash', first, { ...second, hash: 'c'.repeat(64) }, 'hash_mismatch'],
    ['an entry signed with another key', null, row(1, GENESIS_HASH, 2, otherKeys), 'hash_mismatch'],
    ['an entry relabelled with another version', null, { ...first, key_version: 1 }, 'hash_mismatch'],
    ['an entry relabelled as unkeyed', null, { ...first, key_version: 0 }, 'hash_mismatch'],
    ['a version the keyring lacks', null, { ...first, key_version: 7 }, 'unknown_key'],
    ['an unkeyed entry after a keyed one', first, row(2, first.hash, 0), 'key_downgrade'],
    ['an older key version after a newer one', first, row(2, first.hash, 1), 'key_downgrade'],
  ])('%s', (_name, previous, current, expected) => {
    expect(checkLink(previous, current, keyring)).toBe(expected);
  });
});
