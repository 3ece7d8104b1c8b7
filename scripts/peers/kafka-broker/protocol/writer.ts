const TWO_TO_32 = 0x1_0000_0000;

/** Big-endian writer for Kafka's wire types (`compact` ones for flexible versions); grows its buffer as needed. */
export class Writer {
  private buf = Buffer.alloc(256);
  private pos = 0;

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.pos + extra));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }

  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  int64(v: bigint | number): this {
    this.ensure(8);
    // Offsets fit a double almost always: two int32 writes, where Node's writeBigInt64BE does BigInt arithmetic.
    const n = Number(v);
    if (Number.isSafeInteger(n)) {
      const high = Math.floor(n / TWO_TO_32);
      this.buf.writeInt32BE(high, this.pos);
      this.buf.writeUInt32BE(n - high * TWO_TO_32, this.pos + 4);
    } else {
      this.buf.writeBigInt64BE(BigInt(v), this.pos);
    }
    this.pos += 8;
    return this;
  }

  raw(b: Buffer): this {
    this.ensure(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
    return this;
  }

  string(s: string): this {
    const len = Buffer.byteLength(s, 'utf8');
    return this.int16(len).utf8(s, len);
  }

  nullableString(s: string | null): this {
    return s === null ? this.int16(-1) : this.string(s);
  }

  bytes(b: Buffer): this {
    return this.int32(b.length).raw(b);
  }

  nullableBytes(b: Buffer | null): this {
    return b === null ? this.int32(-1) : this.bytes(b);
  }

  array<T>(items: readonly T[], each: (w: this, item: T) => void): this {
    this.int32(items.length);
    for (const item of items) each(this, item);
    return this;
  }

  int32Array(items: readonly number[]): this {
    return this.array(items, (w, n) => w.int32(n));
  }

  /** Unsigned varint: the lengths and counts of flexible versions. */
  uvarint(v: number): this {
    let rest = v;
    do {
      let byte = rest % 0x80;
      rest = Math.floor(rest / 0x80);
      if (rest > 0) byte |= 0x80;
      this.ensure(1);
      this.buf[this.pos++] = byte;
    } while (rest > 0);
    return this;
  }

  compactString(s: string): this {
    const len = Buffer.byteLength(s, 'utf8');
    return this.uvarint(len + 1).utf8(s, len);
  }

  /** The string's UTF-8 bytes, written in place (no intermediate Buffer: responses carry thousands of names). */
  private utf8(s: string, len: number): this {
    this.ensure(len);
    this.pos += this.buf.write(s, this.pos, len, 'utf8');
    return this;
  }

  compactNullableString(s: string | null): this {
    return s === null ? this.uvarint(0) : this.compactString(s);
  }

  compactArray<T>(items: readonly T[], each: (w: this, item: T) => void): this {
    this.uvarint(items.length + 1);
    for (const item of items) each(this, item);
    return this;
  }

  compactInt32Array(items: readonly number[]): this {
    return this.compactArray(items, (w, n) => w.int32(n));
  }

  /** An empty tagged-field section: this broker sends no tagged fields. */
  taggedFields(): this {
    return this.uvarint(0);
  }

  /** Zig-zag varint as used inside v2 records. */
  varint(v: number | bigint): this {
    let z = BigInt.asUintN(64, (BigInt(v) << 1n) ^ (BigInt(v) >> 63n));
    do {
      let byte = Number(z & 0x7fn);
      z >>= 7n;
      if (z > 0n) byte |= 0x80;
      this.ensure(1);
      this.buf[this.pos++] = byte;
    } while (z > 0n);
    return this;
  }

  get length(): number {
    return this.pos;
  }

  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}
