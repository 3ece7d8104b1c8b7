import { describe, expect, it } from 'vitest';
import { ByteReader } from '@/server/brokers/kafka/byte-reader';
import { compactStr, i16, i32, i64, NO_TAGS, str, uvarint } from '@/tests/support/wire-bytes';

const reader = (...parts: Buffer[]) => new ByteReader(Buffer.concat(parts));

describe('ByteReader.int64String', () => {
  it.each([
    0n,
    1n,
    -1n,
    4_294_967_295n, // low word only, all ones
    4_294_967_296n, // the first value with a high word
    -4_294_967_296n,
    2n ** 53n - 1n,
    2n ** 53n, // past the last high word read as a double
    2n ** 53n + 1n, // not a double: read through BigInt
    -(2n ** 53n),
    -(2n ** 53n) - 1n,
    2n ** 63n - 1n,
    -(2n ** 63n),
  ])('reads %s exactly', (value) => {
    expect(reader(i64(value)).int64String()).toBe(value.toString());
  });
});

describe('ByteReader', () => {
  it('reads fixed-size integers big-endian, signed', () => {
    const r = reader(Buffer.from([0xff]), i16(-2), i32(-3), i32(2_000_000_000));
    expect([r.int8(), r.int16(), r.int32(), r.int32()]).toEqual([-1, -2, -3, 2_000_000_000]);
    expect(r.remaining).toBe(0);
  });

  it.each([0, 1, 127, 128, 300, 16_383, 16_384, 2 ** 28, 2 ** 32 - 1])('reads the uvarint %i', (n) => {
    expect(reader(uvarint(n)).uvarint()).toBe(n);
  });

  it('reads classic and compact strings, UTF-8 lengths in bytes, null where the length says so', () => {
    const r = reader(str('orders'), i16(-1), compactStr('é-ü'), compactStr(null), compactStr(''));
    expect([
      r.string(),
      r.nullableString(),
      r.compactString(),
      r.compactNullableString(),
      r.compactString(),
    ]).toEqual(['orders', null, 'é-ü', null, '']);
  });

  it('reads classic and compact arrays, a null one as empty', () => {
    const r = reader(i32(2), i32(7), i32(8), i32(-1), uvarint(3), i16(1), i16(2), uvarint(0));
    expect(r.array((e) => e.int32())).toEqual([7, 8]);
    expect(r.array((e) => e.int32())).toEqual([]);
    expect(r.compactArray((e) => e.int16())).toEqual([1, 2]);
    expect(r.compactArray((e) => e.int16())).toEqual([]);
  });

  it('skips tagged fields by their size, whatever they hold', () => {
    const tags = Buffer.concat([
      uvarint(2),
      uvarint(0),
      uvarint(3),
      Buffer.from('abc'),
      uvarint(9),
      uvarint(0),
    ]);
    const r = reader(tags, i32(42), NO_TAGS);
    r.skipTaggedFields();
    expect(r.int32()).toBe(42);
    r.skipTaggedFields();
    expect(r.remaining).toBe(0);
  });

  it.each([
    ['an int32', (r: ByteReader) => r.int32(), Buffer.from([0, 0, 1])],
    ['an int64', (r: ByteReader) => r.int64String(), Buffer.alloc(7)],
    [
      'a string longer than what is left',
      (r: ByteReader) => r.string(),
      Buffer.concat([i16(5), Buffer.from('abc')]),
    ],
    [
      'a compact string',
      (r: ByteReader) => r.compactString(),
      Buffer.concat([uvarint(6), Buffer.from('ab')]),
    ],
    ['an unfinished uvarint', (r: ByteReader) => r.uvarint(), Buffer.from([0x80, 0x80])],
    [
      'a tagged field longer than what is left',
      (r: ByteReader) => r.skipTaggedFields(),
      Buffer.from([1, 0, 9, 1]),
    ],
  ])('throws on a truncated response: %s', (_, read, bytes) => {
    expect(() => read(new ByteReader(bytes))).toThrow(RangeError);
  });

  it('refuses a uvarint longer than five bytes', () => {
    expect(() => reader(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])).uvarint()).toThrow(
      /longer than 5 bytes/,
    );
  });
});
