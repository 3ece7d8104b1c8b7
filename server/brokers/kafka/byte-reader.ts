import 'server-only';

/*
 * A big-endian reader of Kafka's wire types over one response body, for the codecs this adapter
 * writes itself. kafkajs's Decoder builds a Long for every int64 and a Buffer slice for every string;
 * a fleet snapshot reads some 140,000 offsets, so this one reads in place and answers an int64 as the
 * decimal string the adapter keeps offsets in. A read past the end throws rather than inventing data.
 */

const TWO_TO_32 = 0x1_0000_0000;
/** Below this high word an int64 is exact as a double (|value| < 2^53). */
const SAFE_HIGH_WORD = 0x20_0000;

export class ByteReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  private take(n: number): number {
    const at = this.pos;
    if (n < 0 || at + n > this.buf.length) throw new RangeError(`Kafka response truncated at byte ${at}`);
    this.pos = at + n;
    return at;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  skip(n: number): void {
    this.take(n);
  }

  int8(): number {
    return this.buf.readInt8(this.take(1));
  }

  int16(): number {
    return this.buf.readInt16BE(this.take(2));
  }

  int32(): number {
    return this.buf.readInt32BE(this.take(4));
  }

  /** An int64 as a decimal string, exact over the whole range; doubles only where they are exact. */
  int64String(): string {
    const at = this.take(8);
    const high = this.buf.readInt32BE(at);
    if (high >= -SAFE_HIGH_WORD && high < SAFE_HIGH_WORD) {
      return String(high * TWO_TO_32 + this.buf.readUInt32BE(at + 4));
    }
    return this.buf.readBigInt64BE(at).toString();
  }

  /** Unsigned varint: the lengths and counts of flexible versions. */
  uvarint(): number {
    let result = 0;
    for (let shift = 0; shift <= 28; shift += 7) {
      const byte = this.buf[this.take(1)] as number;
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
    }
    throw new RangeError('Kafka response has a varint longer than 5 bytes');
  }

  private utf8(length: number): string {
    const at = this.take(length);
    return this.buf.toString('utf8', at, at + length);
  }

  /** A classic string: int16 length, -1 for null. */
  nullableString(): string | null {
    const length = this.int16();
    return length < 0 ? null : this.utf8(length);
  }

  string(): string {
    return this.nullableString() ?? '';
  }

  /** A compact string of the flexible versions: length + 1 as a uvarint, 0 for null. */
  compactNullableString(): string | null {
    const length = this.uvarint() - 1;
    return length < 0 ? null : this.utf8(length);
  }

  compactString(): string {
    return this.compactNullableString() ?? '';
  }

  /** A classic array's count: int32, -1 for null (read as empty). */
  arrayLength(): number {
    return Math.max(0, this.int32());
  }

  /** A compact array's count: count + 1 as a uvarint, 0 for null (read as empty). */
  compactArrayLength(): number {
    return Math.max(0, this.uvarint() - 1);
  }

  array<T>(each: (r: ByteReader) => T): T[] {
    return repeat(this.arrayLength(), () => each(this));
  }

  compactArray<T>(each: (r: ByteReader) => T): T[] {
    return repeat(this.compactArrayLength(), () => each(this));
  }

  /** A tagged-field section: a count, then per field a tag, a size and that many bytes. */
  skipTaggedFields(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      this.skip(this.uvarint());
    }
  }
}

function repeat<T>(count: number, read: () => T): T[] {
  const out: T[] = [];
  for (let i = 0; i < count; i++) out.push(read());
  return out;
}
