import { createRequire } from 'node:module';
import type { RawClient } from '../raw-client';
import { sendRaw } from './codec';

/*
 * kafkajs's Fetch decoder flattens batches into records; the differential test needs the batches
 * themselves (where the first one starts, how many records, its attributes), so the response is read
 * here with kafkajs's primitive decoder and each batch with kafkajs's record batch decoder.
 */

interface Decoder {
  readInt8(): number;
  readInt16(): number;
  readInt32(): number;
  readInt64(): { toString(): string };
  readString(): string | null;
  readBytes(): Buffer | null;
  readArray<T>(each: (d: Decoder) => T): T[];
}
interface DecodedBatch {
  records: Record<string, unknown>[];
  [field: string]: unknown;
}

const load = createRequire(import.meta.url);
const DecoderClass = load('kafkajs/src/protocol/decoder') as new (b: Buffer) => Decoder;
const decodeBatch = load('kafkajs/src/protocol/recordBatch/v0/decoder') as (
  d: Decoder,
) => Promise<DecodedBatch>;

/** Byte offsets inside a v2 record batch header. */
const CRC_AT = 17;
const ATTRIBUTES_AT = 21;
const BATCH_HEADER_BYTES = 12;

export interface FetchPartitionAnswer {
  topic: string | null;
  partition: number;
  errorCode: number;
  highWatermark: string;
  lastStableOffset: string;
  logStartOffset: string;
  abortedTransactions: { producerId: string; firstOffset: string }[];
  preferredReadReplica: number;
  /** Null when the broker sent a null record set rather than an empty one. */
  batches: unknown[] | null;
}

/** Every whole batch of a record set: header fields, attributes, CRC and records without their copies of the header. */
async function batchesOf(records: Buffer): Promise<unknown[]> {
  const out: unknown[] = [];
  let at = 0;
  while (at + BATCH_HEADER_BYTES <= records.length) {
    const size = BATCH_HEADER_BYTES + records.readInt32BE(at + 8);
    // A trailing partial batch is allowed by the protocol when maxBytes cuts it.
    if (at + size > records.length) break;
    const bytes = records.subarray(at, at + size);
    const { records: decoded, ...header } = await decodeBatch(new DecoderClass(bytes));
    out.push({
      ...header,
      attributes: bytes.readInt16BE(ATTRIBUTES_AT),
      crc: bytes.readUInt32BE(CRC_AT),
      recordCount: decoded.length,
      records: decoded.map(({ batchContext: _, magicByte: __, ...record }) => record),
    });
    at += size;
  }
  return out;
}

/** Fetch v7–v11 response partitions, read field by field. */
export async function fetchRaw(
  client: RawClient,
  version: number,
  args: unknown,
): Promise<{ errorCode: number; sessionId: number; partitions: FetchPartitionAnswer[] }> {
  if (version < 7) throw new Error(`Fetch v${version}: this reader starts at v7`);
  const { body } = await sendRaw(client, 'Fetch', version, args);
  const d = new DecoderClass(body);
  d.readInt32();
  const errorCode = d.readInt16();
  const sessionId = d.readInt32();
  const raw = d.readArray((d) => {
    const topic = d.readString();
    return d.readArray((d) => ({
      topic,
      partition: d.readInt32(),
      errorCode: d.readInt16(),
      highWatermark: d.readInt64().toString(),
      lastStableOffset: d.readInt64().toString(),
      logStartOffset: d.readInt64().toString(),
      abortedTransactions: d.readArray((d) => ({
        producerId: d.readInt64().toString(),
        firstOffset: d.readInt64().toString(),
      })),
      preferredReadReplica: version >= 11 ? d.readInt32() : -1,
      records: d.readBytes(),
    }));
  });
  const partitions = await Promise.all(
    raw.flat().map(async ({ records, ...p }) => ({
      ...p,
      batches: records === null ? null : await batchesOf(records),
    })),
  );
  return { errorCode, sessionId, partitions };
}
