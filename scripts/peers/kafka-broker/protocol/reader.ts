/** Thrown when a request is shorter than its declared layout; the connection is then closed. */
export class MalformedRequestError extends Error {}

/** Big-endian reader for Kafka's wire types; the `compact` ones belong to flexible versions. */
export class Reader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  private take(n: number): number {
    if (n < 0 || this.pos + n > this.buf.length) throw new MalformedRequestError('request truncated');
    const at = this.pos;
    this.pos += n;
    return at;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  int8(): number {
    return this.buf.readInt8(this.take(1));
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    return this.buf.readInt16BE(this.take(2));
  }

  int32(): number {
    return this.buf.readInt32BE(this.take(4));
  }

  int64(): bigint {
    return this.buf.readBigInt64BE(this.take(8));
  }

  raw(n: number): Buffer {
    const at = this.take(n);
    return this.buf.subarray(at, at + n);
  }

  nullableString(): string | null {
    const len = this.int16();
    return len < 0 ? null : this.raw(len).toString('utf8');
  }

  string(): string {
    return this.nullableString() ?? '';
  }

  nullableBytes(): Buffer | null {
    const len = this.int32();
    return len < 0 ? null : this.raw(len);
  }

  bytes(): Buffer {
    return this.nullableBytes() ?? Buffer.alloc(0);
  }

  nullableArray<T>(each: (r: Reader) => T): T[] | null {
    const len = this.int32();
    if (len < 0) return null;
    if (len > this.remaining) throw new MalformedRequestError('array length exceeds request');
    const out: T[] = [];
    for (let i = 0; i < len; i++) out.push(each(this));
    return out;
  }

  array<T>(each: (r: Reader) => T): T[] {
    return this.nullableArray(each) ?? [];
  }

  /** Zig-zag varint as used inside v2 records. */
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.buf.readUInt8(this.take(1));
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7n;
      if (shift > 63n) throw new MalformedRequestError('varint too long');
    }
    return (result >> 1n) ^ -(result & 1n);
  }

  /** Unsigned varint: the lengths and counts of flexible versions. */
  uvarint(): number {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      if (shift > 28) throw new MalformedRequestError('uvarint too long');
      const byte = this.buf.readUInt8(this.take(1));
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
    }
  }

  /** Length + 1 as a uvarint; 0 is null. */
  compactNullableString(): string | null {
    const len = this.uvarint() - 1;
    return len < 0 ? null : this.raw(len).toString('utf8');
  }

  compactString(): string {
    return this.compactNullableString() ?? '';
  }

  /** Count + 1 as a uvarint; 0 is null. */
  compactNullableArray<T>(each: (r: Reader) => T): T[] | null {
    const len = this.uvarint() - 1;
    if (len < 0) return null;
    if (len > this.remaining) throw new MalformedRequestError('array length exceeds request');
    const out: T[] = [];
    for (let i = 0; i < len; i++) out.push(each(this));
    return out;
  }

  compactArray<T>(each: (r: Reader) => T): T[] {
    return this.compactNullableArray(each) ?? [];
  }

  /** Skips a tagged-field section: no field this broker reads is carried as a tag. */
  taggedFields(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      this.raw(this.uvarint());
    }
  }

  /** Varint-length-prefixed bytes; -1 is null. */
  varBytes(): Buffer | null {
    const len = Number(this.varint());
    return len < 0 ? null : this.raw(len);
  }
}
