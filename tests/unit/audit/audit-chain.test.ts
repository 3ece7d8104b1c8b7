import { describe, expect, it } from 'vitest';
import { checkLink } from '@/server/audit/audit-chain';
import { entryHash, GENESIS_HASH } from '@/server/audit/audit-hash';
import type { AuditLogTable } from '@/server/store/schema';

function row(seq: number, prevHash: string): AuditLogTable {
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
  return { ...fields, hash: entryHash(fields) };
}

const first = row(1, GENESIS_HASH);
const second = row(2, first.hash);

describe('checkLink', () => {
  it.each([
    ['a first entry on the genesis hash', null, first, null],
    ['an entry following its predecessor', first, second, null],
    ['a first entry that is not seq 1', null, row(2, GENESIS_HASH), 'gap'],
    ['a skipped seq', first, row(3, first.hash), 'gap'],
    ['a repeated seq', first, row(1, first.hash), 'gap'],
    ['a first entry not on the genesis hash', null, row(1, 'a'.repeat(64)), 'prev_hash_mismatch'],
    ['a prev_hash that is not the predecessor hash', first, row(2, 'b'.repeat(64)), 'prev_hash_mismatch'],
    ['a changed field', first, { ...second, outcome: 'failed' }, 'hash_mismatch'],
    ['a changed hash', first, { ...second, hash: 'c'.repeat(64) }, 'hash_mismatch'],
  ])('%s', (_name, previous, current, expected) => {
    expect(checkLink(previous, current)).toBe(expected);
  });
});
