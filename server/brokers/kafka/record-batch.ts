import 'server-only';
import crc32C from 'kafkajs/src/protocol/recordBatch/crc32C';

/*
 * A Kafka record batch (magic 2, uncompressed), written into one buffer sized up front. The replay
 * sends thousands of records a second; kafkajs's encoder builds each record, header and length in a
 * buffer of its own and copies them up level by level, which cost more than the sends themselves.
 * The layout is Kafka's DefaultRecordBatch / DefaultRecord: fixed-width fields big-endian, lengths and
 * deltas as zigzag varints, a CRC-32C over everything from the attributes on.
 * Headers go in the order given, a repeated key included, and a null value as Kafka allows it.
 */

export interface BatchRecord {
  key: Buffer | null;
  value: Buffer | null;
  /** A string value is written as its UTF-8 bytes. */
  headers: readonly { key: string; value: Buffer | string | null }[];
}

/** The idempotent producer's identity for the batch; without one the batch carries Kafka's "none" values. */
export interface BatchProducer {
  producerId: bigint;
  producerEpoch: number;
  firstSequence: number;
}

const NO_PRODUCER: BatchProducer = { producerId: -1n, producerEpoch: -1, firstSequence: -1 };
/** Offset 0 … length: baseOffset (8) and batchLength (4) come before the part the length counts. */
const LOG_OVERHEAD = 12;
/** partitionLeaderEpoch (4), magic (1), crc (4): after the length, before the CRC's coverage. */
const BEFORE_CRC = 9;
/** attributes (2) … record count (4): the fixed fields under the CRC. */
const CRC_FIXED = 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;
const HEADER_SIZE = LOG_OVERHEAD + BEFORE_CRC + CRC_FIXED;
const MAGIC = 2;
/** The leader sets the epoch; a producer writes "none" (-1), as Kafka's own client does. */
const NO_PARTITION_LEADER_EPOCH = -1;

const zigzag = (n: number) => ((n << 1) ^ (n >> 31)) >>> 0;

function varintSize(n: number): number {
  let z = zigzag(n);
  let size = 1;
  while (z >= 0x80) {
    z >>>= 7;
    size++;
  }
  return size;
}

function writeVarint(buf: Buffer, at: number, n: number): number {
  let z = zigzag(n);
  while (z >= 0x80) {
    buf[at++] = (z & 0x7f) | 0x80;
    z >>>= 7;
  }
  buf[at++] = z;
  return at;
}

const bytesSize = (b: Buffer | null) => (b === null ? varintSize(-1) : varintSize(b.length) + b.length);

function writeBytes(buf: Buffer, at: number, b: Buffer | null): number {
  if (b === null) return writeVarint(buf, at, -1);
  const next = writeVarint(buf, at, b.length);
  b.copy(buf, next);
  return next + b.length;
}

/**
 * A record's body size (after its own length), with all its deltas 0 but the offset's. `lengths` gets
 * each header's key length and, for a string value, its UTF-8 length, in order.
 */
function bodySize(record: BatchRecord, offsetDelta: number, lengths: number[]): number {
  let size = 1 + varintSize(0) + varintSize(offsetDelta) + bytesSize(record.key) + bytesSize(record.value);
  size += varintSize(record.headers.length);
  for (const h of record.headers) {
    const keyLength = Buffer.byteLength(h.key, 'utf8');
    lengths.push(keyLength);
    size += varintSize(keyLength) + keyLength;
    if (typeof h.value === 'string') {
      const valueLength = Buffer.byteLength(h.value, 'utf8');
      lengths.push(valueLength);
      size += varintSize(valueLength) + valueLength;
    } else {
      size += bytesSize(h.value);
    }
  }
  return size;
}

/** What writing a batch takes: its size, worked out once (record sizes, header key and text lengths). */
export interface BatchPlan {
  size: number;
  bodies: number[];
  lengths: number[];
}

export function planRecordBatch(records: readonly BatchRecord[]): BatchPlan {
  if (records.length === 0) throw new Error('a record batch holds at least one record');
  const lengths: number[] = [];
  const bodies = records.map((r, i) => bodySize(r, i, lengths));
  let size = HEADER_SIZE;
  for (const body of bodies) size += varintSize(body) + body;
  return { size, bodies, lengths };
}

/**
 * Writes the batch as a Produce request's record set carries it into `buf` at `start` (`plan.size`
 * bytes): every record stamped `timestamp` (the batch's first and max timestamp, each record's delta
 * 0), offsets 0 … n-1 from the batch's base.
 */
export function writeRecordBatch(
  buf: Buffer,
  start: number,
  plan: BatchPlan,
  records: readonly BatchRecord[],
  timestamp: number,
  producer: BatchProducer = NO_PRODUCER,
): void {
  const { size, bodies, lengths } = plan;
  buf.writeBigInt64BE(0n, start);
  buf.writeInt32BE(size - LOG_OVERHEAD, start + 8);
  buf.writeInt32BE(NO_PARTITION_LEADER_EPOCH, start + 12);
  buf.writeInt8(MAGIC, start + 16);
  // The CRC (after the magic byte) is written last, over what follows it.
  const crcFrom = start + LOG_OVERHEAD + BEFORE_CRC;
  let at = crcFrom;
  at = buf.writeInt16BE(0, at);
  at = buf.writeInt32BE(records.length - 1, at);
  at = buf.writeBigInt64BE(BigInt(timestamp), at);
  at = buf.writeBigInt64BE(BigInt(timestamp), at);
  at = buf.writeBigInt64BE(producer.producerId, at);
  at = buf.writeInt16BE(producer.producerEpoch, at);
  at = buf.writeInt32BE(producer.firstSequence, at);
  at = buf.writeInt32BE(records.length, at);
  let k = 0;
  records.forEach((record, i) => {
    at = writeVarint(buf, at, bodies[i] as number);
    buf[at++] = 0;
    at = writeVarint(buf, at, 0);
    at = writeVarint(buf, at, i);
    at = writeBytes(buf, at, record.key);
    at = writeBytes(buf, at, record.value);
    at = writeVarint(buf, at, record.headers.length);
    for (const h of record.headers) {
      const keyLength = lengths[k++] as number;
      at = writeVarint(buf, at, keyLength);
      at += buf.write(h.key, at, keyLength, 'utf8');
      if (typeof h.value === 'string') {
        const valueLength = lengths[k++] as number;
        at = writeVarint(buf, at, valueLength);
        at += buf.write(h.value, at, valueLength, 'utf8');
      } else {
        at = writeBytes(buf, at, h.value);
      }
    }
  });
  if (at !== start + size) throw new Error(`a record batch of ${size} bytes was written as ${at - start}`);
  buf.writeUInt32BE(crc32C(buf.subarray(crcFrom, start + size)), start + LOG_OVERHEAD + 5);
}

/** The batch in a buffer of its own (see writeRecordBatch). */
export function encodeRecordBatch(
  records: readonly BatchRecord[],
  timestamp: number,
  producer: BatchProducer = NO_PRODUCER,
): Buffer {
  const plan = planRecordBatch(records);
  const buf = Buffer.allocUnsafe(plan.size);
  writeRecordBatch(buf, 0, plan, records, timestamp, producer);
  return buf;
}
