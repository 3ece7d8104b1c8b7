import { describe, expect, it } from 'vitest';
import { Writer } from '@/scripts/peers/kafka-broker/protocol/writer';
import { i64 } from '@/tests/support/wire-bytes';

describe('Writer.int64', () => {
  it.each([
    0n,
    1n,
    -1n,
    4_294_967_295n,
    4_294_967_296n,
    -4_294_967_297n,
    2n ** 53n - 1n,
    2n ** 53n, // past the doubles' exact range: written through BigInt
    2n ** 53n + 1n,
    -(2n ** 53n) - 1n,
    2n ** 63n - 1n,
    -(2n ** 63n),
  ])('writes %s as eight big-endian bytes, as a bigint and as a number where exact', (value) => {
    expect(new Writer().int64(value).toBuffer().toString('hex')).toBe(i64(value).toString('hex'));
    if (Number.isSafeInteger(Number(value))) {
      expect(new Writer().int64(Number(value)).toBuffer().toString('hex')).toBe(i64(value).toString('hex'));
    }
  });

  it('refuses a number that is not an integer', () => {
    expect(() => new Writer().int64(1.5)).toThrow(RangeError);
  });
});
