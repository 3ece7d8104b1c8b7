import 'server-only';
import Encoder from 'kafkajs/src/protocol/encoder';
import { ByteReader } from './byte-reader';
import type { TypedRequest } from './flexible-codec';

/*
 * ListOffsets for every partition a leader has, written straight into one buffer and read back in
 * columns. kafkajs's codec builds an Encoder (a zeroed 512-byte buffer) and a Long per partition:
 * three requests over 20,000 partitions spent more time there than on the wire.
 */

export const LIST_OFFSETS = 2;
/** v1 (Kafka 0.10.1) is the oldest Kafka 4 serves; v2 (0.11) adds the isolation level, v3 only KIP-219's throttling. */
const OLDEST_VERSION = 1;
const NEWEST_VERSION = 3;
const ISOLATION_LEVEL_VERSION = 2;
/** Kafka's replica id for a client that is not a broker. */
const CONSUMER_REPLICA_ID = -1;
const TWO_TO_32 = 0x1_0000_0000;

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

/** One topic of an answer, in columns: the i-th partition's error code and offset. */
export interface ListedTopic {
  topic: string;
  partitions: number[];
  errorCodes: number[];
  offsets: string[];
}

/**
 * The version to speak with a broker serving `range`; null when it serves none this codec writes.
 * Below v2 there is no isolation level, and no transactions either: the last stable offset is the end.
 */
export function listOffsetsVersion(
  range: { minVersion: number; maxVersion: number } | undefined,
): number | null {
  if (!range) return null;
  const version = Math.min(NEWEST_VERSION, range.maxVersion);
  return version >= Math.max(OLDEST_VERSION, range.minVersion) ? version : null;
}

function encodedSize(version: number, topics: TopicPartitions[]): number {
  let size = 4 + (version >= ISOLATION_LEVEL_VERSION ? 1 : 0) + 4;
  for (const t of topics) size += 2 + Buffer.byteLength(t.topic, 'utf8') + 4 + 12 * t.partitions.length;
  return size;
}

function encode(
  version: number,
  topics: TopicPartitions[],
  timestamp: number,
  isolationLevel: number,
): Buffer {
  const buf = Buffer.allocUnsafe(encodedSize(version, topics));
  // Every partition asks the same timestamp: its two words once, not a BigInt per partition.
  const high = Math.floor(timestamp / TWO_TO_32);
  const low = timestamp - high * TWO_TO_32;
  let at = buf.writeInt32BE(CONSUMER_REPLICA_ID, 0);
  if (version >= ISOLATION_LEVEL_VERSION) at = buf.writeInt8(isolationLevel, at);
  at = buf.writeInt32BE(topics.length, at);
  for (const t of topics) {
    const length = Buffer.byteLength(t.topic, 'utf8');
    at = buf.writeInt16BE(length, at);
    at += buf.write(t.topic, at, length, 'utf8');
    at = buf.writeInt32BE(t.partitions.length, at);
    for (const partition of t.partitions) {
      at = buf.writeInt32BE(partition, at);
      at = buf.writeInt32BE(high, at);
      at = buf.writeUInt32BE(low, at);
    }
  }
  return buf;
}

function decode(version: number, payload: Buffer): ListedTopic[] {
  const r = new ByteReader(payload);
  if (version >= ISOLATION_LEVEL_VERSION) r.int32(); // throttle time
  return r.array((r) => {
    const topic = r.string();
    const count = r.arrayLength();
    const listed: ListedTopic = { topic, partitions: [], errorCodes: [], offsets: [] };
    for (let i = 0; i < count; i++) {
      listed.partitions.push(r.int32());
      listed.errorCodes.push(r.int16());
      r.skip(8); // timestamp: -1 for the earliest and latest lookups
      listed.offsets.push(r.int64String());
    }
    return listed;
  });
}

/** One ListOffsets at `version` for these partitions, all at `timestamp` (-1 latest, -2 earliest). */
export function listOffsetsRequest(
  version: number,
  topics: TopicPartitions[],
  timestamp: number,
  isolationLevel: number,
): TypedRequest<ListedTopic[]> {
  return {
    request: {
      apiKey: LIST_OFFSETS,
      apiVersion: version,
      apiName: 'ListOffsets',
      encode: async () => {
        const body = encode(version, topics, timestamp, isolationLevel);
        return new Encoder(body.length).writeBuffer(body);
      },
    },
    response: {
      decode: async (payload) => decode(version, payload),
      parse: async (decoded) => decoded,
    },
  };
}
