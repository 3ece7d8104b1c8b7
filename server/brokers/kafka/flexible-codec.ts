import 'server-only';
import Encoder from 'kafkajs/src/protocol/encoder';
import { ByteReader } from './byte-reader';
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

/** A request this adapter encodes itself, with the type of its decoded answer. */
export interface TypedRequest<T> extends ProtocolRequest {
  response: { decode(payload: Buffer): Promise<T>; parse(decoded: T): Promise<T> };
}

export function flexibleRequest<T>(
  api: { apiKey: number; apiVersion: number; apiName: string },
  writeBody: (e: Encoder) => void,
  readBody: (r: ByteReader) => T,
): TypedRequest<T> {
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
        const r = new ByteReader(payload);
        r.skipTaggedFields();
        const body = readBody(r);
        r.skipTaggedFields();
        return body;
      },
      parse: async (decoded) => decoded,
    },
  };
}

export async function sendTyped<T>(broker: WireBroker, req: TypedRequest<T>): Promise<T> {
  return (await broker.connectionPool.send(req)) as T;
}

export function writeCompactArray<T>(e: Encoder, items: readonly T[], each: (e: Encoder, item: T) => void) {
  e.writeUVarInt(items.length + 1);
  for (const item of items) each(e, item);
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
    (r) => {
      r.int32(); // throttle time
      return r.compactArray(foundCoordinator);
    },
  );
}

function foundCoordinator(r: ByteReader): FoundCoordinator {
  const key = r.compactString();
  const nodeId = r.int32();
  r.compactString(); // host and port: the node id finds the broker in kafkajs's metadata
  r.int32();
  const errorCode = r.int16();
  r.compactNullableString(); // error message: kafkajs's table names the code
  r.skipTaggedFields();
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
    (r) => {
      r.int32(); // throttle time
      return r.compactArray(fetchedGroup);
    },
  );
}

function fetchedGroup(r: ByteReader): FetchedGroup {
  const groupId = r.compactString();
  const partitions: FetchedGroup['partitions'] = [];
  for (let t = r.compactArrayLength(); t > 0; t--) {
    const topic = r.compactString();
    for (let p = r.compactArrayLength(); p > 0; p--) {
      const partition = r.int32();
      const offset = r.int64String();
      r.int32(); // committed leader epoch
      r.compactNullableString(); // commit metadata
      const errorCode = r.int16();
      r.skipTaggedFields();
      partitions.push({ topic, partition, offset, errorCode });
    }
    r.skipTaggedFields();
  }
  const errorCode = r.int16();
  r.skipTaggedFields();
  return { groupId, errorCode, partitions };
}
