import { gunzipSync } from 'node:zlib';
import { MalformedRequestError, Reader } from './reader';
import { Writer } from './writer';

/** Offsets inside a v2 record batch header (KIP-98 layout). */
const LENGTH_AT = 8;
const MAGIC_AT = 16;
const CRC_AT = 17;
const ATTRIBUTES_AT = 21;
const LAST_OFFSET_DELTA_AT = 23;
const FIRST_TIMESTAMP_AT = 27;
const MAX_TIMESTAMP_AT = 35;
const RECORD_COUNT_AT = 57;
const RECORDS_AT = 61;

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli), the checksum of record batch v2. */
export function crc32c(buf: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of buf) crc = (CRC32C_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export interface StoredBatch {
  baseOffset: bigint;
  /** Number of offsets the batch spans (lastOffsetDelta + 1). */
  offsetCount: number;
  maxTimestamp: bigint;
  /** Timestamp of every record in offset order, or null when the codec is not readable here. */
  recordTimestamps: { offsetDelta: number; timestamp: bigint }[] | null;
  data: Buffer;
}

/** Raised for produce payloads this broker cannot store; carries the Kafka error code to answer. */
export class BatchError extends Error {
  constructor(readonly errorCode: number) {
    super(`record batch rejected with error ${errorCode}`);
  }
}

const CORRUPT_MESSAGE = 2;
const UNSUPPORTED_FOR_MESSAGE_FORMAT = 43;

/** Splits a produce request's records into v2 batches, checking magic and CRC. */
export function splitBatches(records: Buffer): StoredBatch[] {
  const out: StoredBatch[] = [];
  let pos = 0;
  while (pos < records.length) {
    if (records.length - pos < RECORDS_AT) throw new BatchError(CORRUPT_MESSAGE);
    const total = 12 + records.readInt32BE(pos + LENGTH_AT);
    if (total < RECORDS_AT || pos + total > records.length) throw new BatchError(CORRUPT_MESSAGE);
    const data = Buffer.from(records.subarray(pos, pos + total));
    pos += total;
    if (data.readInt8(MAGIC_AT) !== 2) throw new BatchError(UNSUPPORTED_FOR_MESSAGE_FORMAT);
    if (crc32c(data.subarray(ATTRIBUTES_AT)) !== data.readUInt32BE(CRC_AT))
      throw new BatchError(CORRUPT_MESSAGE);
    out.push(describeBatch(data));
  }
  return out;
}

function describeBatch(data: Buffer): StoredBatch {
  const recordTimestamps = readRecordTimestamps(data);
  let maxTimestamp = data.readBigInt64BE(MAX_TIMESTAMP_AT);
  for (const r of recordTimestamps ?? []) if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;
  return {
    baseOffset: 0n,
    offsetCount: data.readInt32BE(LAST_OFFSET_DELTA_AT) + 1,
    maxTimestamp,
    recordTimestamps,
    data,
  };
}

/** Reads each record's timestamp; gzip is inflated, other codecs are left opaque. */
function readRecordTimestamps(data: Buffer): StoredBatch['recordTimestamps'] {
  const codec = data.readInt16BE(ATTRIBUTES_AT) & 0x07;
  let body: Buffer;
  try {
    if (codec === 0) body = data.subarray(RECORDS_AT);
    else if (codec === 1) body = gunzipSync(data.subarray(RECORDS_AT));
    else return null;
  } catch {
    throw new BatchError(CORRUPT_MESSAGE);
  }
  const first = data.readBigInt64BE(FIRST_TIMESTAMP_AT);
  const count = data.readInt32BE(RECORD_COUNT_AT);
  const reader = new Reader(body);
  const out: { offsetDelta: number; timestamp: bigint }[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const size = Number(reader.varint());
      const record = new Reader(reader.raw(size));
      record.int8();
      const timestampDelta = record.varint();
      out.push({ offsetDelta: Number(record.varint()), timestamp: first + timestampDelta });
    }
  } catch (err) {
    if (err instanceof MalformedRequestError) throw new BatchError(CORRUPT_MESSAGE);
    throw err;
  }
  return out;
}

/** Sets the batch's base offset in place; the CRC starts at attributes so it stays valid. */
export function rebase(batch: StoredBatch, baseOffset: bigint): void {
  batch.baseOffset = baseOffset;
  batch.data.writeBigInt64BE(baseOffset, 0);
}

export interface NewRecord {
  key: Buffer | null;
  value: Buffer | null;
  timestamp: number;
  headers?: { key: string; value: Buffer | null }[];
}

/** Builds an uncompressed v2 batch with base offset 0 (rebased when appended). */
export function encodeRecordBatch(records: NewRecord[]): Buffer {
  const first = records[0]?.timestamp ?? Date.now();
  const max = records.reduce((m, r) => Math.max(m, r.timestamp), first);
  const body = new Writer();
  records.forEach((r, i) => {
    const rec = new Writer()
      .int8(0)
      .varint(r.timestamp - first)
      .varint(i);
    writeVarBytes(rec, r.key);
    writeVarBytes(rec, r.value);
    rec.varint(r.headers?.length ?? 0);
    for (const h of r.headers ?? []) {
      writeVarBytes(rec, Buffer.from(h.key, 'utf8'));
      writeVarBytes(rec, h.value);
    }
    body.varint(rec.length).raw(rec.toBuffer());
  });
  const tail = new Writer()
    .int16(0)
    .int32(records.length - 1)
    .int64(first)
    .int64(max)
    .int64(-1)
    .int16(-1)
    .int32(-1)
    .int32(records.length)
    .raw(body.toBuffer())
    .toBuffer();
  return new Writer()
    .int64(0)
    .int32(tail.length + 9)
    .int32(0)
    .int8(2)
    .uint32(crc32c(tail))
    .raw(tail)
    .toBuffer();
}

function writeVarBytes(w: Writer, b: Buffer | null): void {
  if (b === null) w.varint(-1);
  else w.varint(b.length).raw(b);
}
