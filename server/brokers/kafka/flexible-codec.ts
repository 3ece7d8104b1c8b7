import 'server-only';
import Decoder from 'kafkajs/src/protocol/decoder';
import Encoder from 'kafkajs/src/protocol/encoder';
import type { ProtocolRequest } from './consumer-group-describe';
import type { WireBroker } from './wire';

/*
 * The batched FindCoordinator and OffsetFetch requests, in flexible versions (KIP-482) kafkajs does
 * not send, encoded for kafkajs's own connection. kafkajs writes request header v1 and hands back the
 * response after its correlation id, so the extra header parts travel inside the body: request
 * header v2's empty tagged-field section is the body's first byte, and response header v1's tagged
 * fields are the payload's first varint. Strings and arrays are compact (length + 1 as an unsigned
 * varint, 0 for null).
 */

export const FIND_COORDINATOR = 10;
export const OFFSET_FETCH = 9;
/** FindCoordinator for many keys at once (KIP-699, Kafka 3.0). */
export const BATCH_FIND_COORDINATOR_VERSION = 4;
/** OffsetFetch for many groups at once (KIP-709, Kafka 3.0). */
export const BATCH_OFFSET_FETCH_VERSION = 8;
const GROUP_KEY_TYPE = 0;

export interface FlexibleRequest<T> extends ProtocolRequest {
  response: { decode(payload: Buffer): Promise<T>; parse(decoded: T): Promise<T> };
}

export function flexibleRequest<T>(
  api: { apiKey: number; apiVersion: number; apiName: string },
  writeBody: (e: Encoder) => void,
  readBody: (d: Decoder) => T,
): FlexibleRequest<T> {
  return {
    request: {
      ...api,
      encode: async () => {
        const e = new Encoder().writeUVarInt(0);
        writeBody(e);
        return e.writeUVarInt(0);
      },
    },
    response: {
      decode: async (payload) => {
        const d = new Decoder(payload);
        skipTaggedFields(d);
        const body = readBody(d);
        skipTaggedFields(d);
        return body;
      },
      parse: async (decoded) => decoded,
    },
  };
}

export async function sendFlexible<T>(broker: WireBroker, req: FlexibleRequest<T>): Promise<T> {
  return (await broker.connectionPool.send(req)) as T;
}

export function writeCompactArray<T>(e: Encoder, items: readonly T[], each: (e: Encoder, item: T) => void) {
  e.writeUVarInt(items.length + 1);
  for (const item of items) each(e, item);
}

/**
 * Skips a tagged-field section: a count, then per field a tag, a size and that many bytes. Not
 * kafkajs's readTaggedFields, which reads the size as a compact length (size + 1) and so loses its
 * place when a broker sends a field.
 */
export function skipTaggedFields(d: Decoder): void {
  const count = d.readUVarInt();
  for (let i = 0; i < count; i++) {
    d.readUVarInt();
    d.forward(d.readUVarInt());
  }
}

export function readCompactArray<T>(d: Decoder, each: (d: Decoder) => T): T[] {
  return d.readUVarIntArray(each) ?? [];
}

export function readCompactString(d: Decoder): string {
  return d.readUVarIntString() ?? '';
}

/** An int64 as a decimal string, so offsets stay exact: high word signed, low word unsigned. */
export function readInt64String(d: Decoder): string {
  const high = BigInt(d.readInt32());
  const low = BigInt(d.readInt32() >>> 0);
  return ((high << 32n) | low).toString();
}

export interface FoundCoordinator {
  key: string;
  nodeId: number;
  errorCode: number;
}

export interface FetchedGroup {
  groupId: string;
  errorCode: number;
  partitions: { topic: string; partition: number; offset: string; errorCode: number }[];
}

export function findCoordinatorsRequest(groupIds: string[]) {
  return flexibleRequest(
    { apiKey: FIND_COORDINATOR, apiVersion: BATCH_FIND_COORDINATOR_VERSION, apiName: 'FindCoordinator' },
    (e) => {
      e.writeInt8(GROUP_KEY_TYPE);
      writeCompactArray(e, groupIds, (e, id) => e.writeUVarIntString(id));
    },
    (d) => {
      d.readInt32(); // throttle time
      return readCompactArray(d, foundCoordinator);
    },
  );
}

function foundCoordinator(d: Decoder): FoundCoordinator {
  const key = readCompactString(d);
  const nodeId = d.readInt32();
  readCompactString(d); // host and port: the node id finds the broker in kafkajs's metadata
  d.readInt32();
  const errorCode = d.readInt16();
  d.readUVarIntString(); // error message: kafkajs's table names the code
  skipTaggedFields(d);
  return { key, nodeId, errorCode };
}

export function offsetFetchGroupsRequest(groupIds: string[]) {
  return flexibleRequest(
    { apiKey: OFFSET_FETCH, apiVersion: BATCH_OFFSET_FETCH_VERSION, apiName: 'OffsetFetch' },
    (e) => {
      // Each group: its id, topics null (compact 0: every partition it committed on), no tagged fields.
      writeCompactArray(e, groupIds, (e, id) => e.writeUVarIntString(id).writeUVarInt(0).writeUVarInt(0));
      e.writeBoolean(false); // require stable: only matters to transactional readers
    },
    (d) => {
      d.readInt32(); // throttle time
      return readCompactArray(d, fetchedGroup);
    },
  );
}

function fetchedGroup(d: Decoder): FetchedGroup {
  const groupId = readCompactString(d);
  const partitions = readCompactArray(d, fetchedTopic).flat();
  const errorCode = d.readInt16();
  skipTaggedFields(d);
  return { groupId, errorCode, partitions };
}

function fetchedTopic(d: Decoder): FetchedGroup['partitions'] {
  const topic = readCompactString(d);
  const partitions = readCompactArray(d, (p) => {
    const partition = p.readInt32();
    const offset = readInt64String(p);
    p.readInt32(); // committed leader epoch
    p.readUVarIntString(); // commit metadata
    const errorCode = p.readInt16();
    skipTaggedFields(p);
    return { topic, partition, offset, errorCode };
  });
  skipTaggedFields(d);
  return partitions;
}
