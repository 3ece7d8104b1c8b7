/*
 * Kafka wire-format bytes built by hand from the protocol's schemas, for tests that check an encoder or
 * a broker against bytes nobody's codec produced.
 */

export const i8 = (n: number) => Buffer.from([n & 0xff]);

export const i16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};

export const i32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

export const i64 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  return b;
};

/** Unsigned varint, 7 bits a byte, low bits first. */
export const uvarint = (n: number) => {
  const out: number[] = [];
  let rest = n;
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  out.push(rest);
  return Buffer.from(out);
};

/** A classic string: int16 length, then UTF-8. */
export const str = (s: string) => Buffer.concat([i16(Buffer.byteLength(s)), Buffer.from(s)]);

/** A compact (nullable) string of the flexible versions: varint length + 1, then UTF-8. */
export const compactStr = (s: string | null) =>
  s === null ? uvarint(0) : Buffer.concat([uvarint(Buffer.byteLength(s) + 1), Buffer.from(s)]);

/** The length of a compact array. */
export const compactCount = (n: number) => uvarint(n + 1);

/** An empty tagged-field section. */
export const NO_TAGS = uvarint(0);
