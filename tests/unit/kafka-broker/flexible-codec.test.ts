import { describe, expect, it } from 'vitest';
import { MalformedRequestError, Reader } from '@/scripts/peers/kafka-broker/protocol/reader';
import { Writer } from '@/scripts/peers/kafka-broker/protocol/writer';

const hex = (w: Writer) => w.toBuffer().toString('hex');
const reader = (bytes: string) => new Reader(Buffer.from(bytes.replaceAll(' ', ''), 'hex'));

describe('compact (flexible-version) types of the test broker', () => {
  it.each([
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8001'],
    [300, 'ac02'],
    [2 ** 31, '8080808008'],
  ])('uvarint %i is %s, and reads back', (n, bytes) => {
    expect(hex(new Writer().uvarint(n))).toBe(bytes);
    expect(reader(bytes).uvarint()).toBe(n);
  });

  it.each([
    [null, '00'],
    ['', '01'],
    ['orders', '076f7264657273'],
    ['é', '03c3a9'],
  ])('compact string %j is %s, and reads back', (s, bytes) => {
    expect(hex(new Writer().compactNullableString(s))).toBe(bytes);
    expect(reader(bytes).compactNullableString()).toBe(s);
  });

  it('writes compact arrays as count + 1 and reads null (0) apart from empty (1)', () => {
    expect(hex(new Writer().compactInt32Array([7, 8]))).toBe('03 00000007 00000008'.replaceAll(' ', ''));
    expect(reader('03 00000007 00000008').compactArray((r) => r.int32())).toEqual([7, 8]);
    expect(reader('00').compactNullableArray((r) => r.int32())).toBeNull();
    expect(reader('01').compactNullableArray((r) => r.int32())).toEqual([]);
  });

  it('skips tagged fields by their size and writes none', () => {
    // Two fields: tag 0 with 2 bytes, tag 5 with 1 byte; then an int16 that must still be found.
    const r = reader('02 00 02 abcd 05 01 ff 002a');
    r.taggedFields();
    expect(r.int16()).toBe(42);
    expect(hex(new Writer().taggedFields())).toBe('00');
  });

  it('refuses a compact array longer than the request', () => {
    expect(() => reader('7f 00').compactArray((r) => r.int8())).toThrow(MalformedRequestError);
  });
});
