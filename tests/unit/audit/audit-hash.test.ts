import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  entryHash,
  entryMac,
  GENESIS_HASH,
  type HashedFields,
} from '@/server/audit/audit-hash';

describe('canonicalJson', () => {
  it.each([
    [{ b: 1, a: 2 }, '{"a":2,"b":1}'],
    [{ z: { y: 1, x: [3, { q: 1, p: 2 }] } }, '{"z":{"x":[3,{"p":2,"q":1}],"y":1}}'],
    [{ a: undefined, b: null }, '{"b":null}'],
    [[undefined, 'x'], '[null,"x"]'],
    [{ s: 'line\n"quoted"', n: -1.5e-7, t: true }, '{"n":-1.5e-7,"s":"line\\n\\"quoted\\"","t":true}'],
    [{ at: new Date('2024-05-01T10:00:00Z') }, '{"at":"2024-05-01T10:00:00.000Z"}'],
    [{}, '{}'],
  ])('serialises %j as %s', (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it('gives the same text whatever order keys were inserted in', () => {
    expect(canonicalJson({ a: 1, b: { c: 1, d: 2 } })).toBe(canonicalJson({ b: { d: 2, c: 1 }, a: 1 }));
  });

  it.each([
    [{ n: Number.NaN }, /details\.n holds a non-finite number/],
    [{ n: Number.POSITIVE_INFINITY }, /non-finite/],
    [{ big: 10n }, /details\.big holds a bigint/],
    [{ f: () => 1 }, /holds a function/],
  ])('refuses %o', (value, message) => {
    expect(() => canonicalJson(value)).toThrow(message);
  });
});

describe('entryHash', () => {
  const fields: HashedFields = {
    seq: 1,
    at: '2024-05-01T10:00:00.000Z',
    actor: 'ann@example.com',
    role: 'operator',
    action: 'replay.start',
    target: 'orders.DLT',
    details: '{"count":3}',
    outcome: 'ok',
    prev_hash: GENESIS_HASH,
  };

  it('is pinned: stored chains depend on this exact serialisation', () => {
    expect(entryHash(fields)).toBe('068553012a8512047dc2184bfcc0825378a68467adda7eb7008ff3f130cc478f');
  });

  it.each(Object.keys(fields) as (keyof HashedFields)[])('changes when %s changes', (key) => {
    const changed = { ...fields, [key]: key === 'seq' ? 2 : `${fields[key]}x` };
    expect(entryHash(changed)).not.toBe(entryHash(fields));
  });

  it('does not let text move between adjacent fields unnoticed', () => {
    const shifted = { ...fields, actor: 'ann@example.comoperator', role: '' };
    expect(entryHash(shifted)).not.toBe(entryHash(fields));
  });
});

describe('entryMac', () => {
  const fields: HashedFields = {
    seq: 1,
    at: '2024-05-01T10:00:00.000Z',
    actor: 'ann@example.com',
    role: 'operator',
    action: 'replay.start',
    target: 'orders.DLT',
    details: '{"count":3}',
    outcome: 'ok',
    prev_hash: GENESIS_HASH,
  };
  const key = Buffer.from('k'.repeat(32));

  it('is HMAC-SHA-256 of the version line and the hashed text, reproducible outside', () => {
    const text = `v1\n${GENESIS_HASH}\n[1,"2024-05-01T10:00:00.000Z","ann@example.com","operator","replay.start","orders.DLT","{\\"count\\":3}","ok"]`;
    expect(entryMac(fields, 1, key)).toBe(createHmac('sha256', key).update(text).digest('hex'));
  });

  it('depends on the key and the version, and differs from the unkeyed hash', () => {
    const mac = entryMac(fields, 1, key);
    expect(entryMac(fields, 1, Buffer.from('j'.repeat(32)))).not.toBe(mac);
    expect(entryMac(fields, 2, key)).not.toBe(mac);
    expect(mac).not.toBe(entryHash(fields));
  });
});
