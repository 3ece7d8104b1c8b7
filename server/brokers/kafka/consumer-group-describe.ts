import 'server-only';
import Encoder from 'kafkajs/src/protocol/encoder';
import { createErrorFromCode } from 'kafkajs/src/protocol/error';
import { byName } from '@/lib/sort';
import { ByteReader } from './byte-reader';
import type { ConsumerGroupDescription, TopicPartitions } from './types';

/*
 * ConsumerGroupDescribe (API 69, KIP-848): the only way to see a group on the new consumer protocol
 * (`group.protocol=consumer`, GA in Kafka 4), which classic DescribeGroups reports as Dead. kafkajs
 * does not know the API, so this encodes it for kafkajs's own connection. It is a flexible version:
 * request header v2 is kafkajs's header v1 plus an empty tagged-field section, written here as the
 * body's first byte; the response header's tagged fields are the decoded body's first varint.
 */

export const CONSUMER_GROUP_DESCRIBE = 69;
const VERSION = 0;
// Not a consumer-protocol group here: a classic group or none (69), or the protocol is switched off (35, 3.x).
const NOT_A_CONSUMER_PROTOCOL_GROUP = new Set([69, 35]);

export interface ProtocolRequest {
  request: { apiKey: number; apiVersion: number; apiName: string; encode(): Promise<Encoder> };
  response: { decode(payload: Buffer): Promise<unknown>; parse(decoded: unknown): Promise<unknown> };
}

interface DescribedGroup {
  errorCode: number;
  errorMessage: string | null;
  groupId: string;
  groupState: string;
  assignorName: string;
  members: {
    memberId: string;
    clientId: string;
    clientHost: string;
    assignment: TopicPartitions[];
  }[];
}

function assignment(r: ByteReader): TopicPartitions[] {
  const topics = r.compactArray((t) => {
    t.skip(16); // topic id (uuid): the name follows
    const topic = t.compactString();
    const partitions = t.compactArray((p) => p.int32()).sort((a, b) => a - b);
    t.skipTaggedFields();
    return { topic, partitions };
  });
  r.skipTaggedFields();
  return topics.sort((a, b) => byName(a.topic, b.topic));
}

function member(r: ByteReader): DescribedGroup['members'][number] {
  const memberId = r.compactString();
  r.compactNullableString(); // instance id
  r.compactNullableString(); // rack id
  r.int32(); // member epoch
  const clientId = r.compactString();
  const clientHost = r.compactString();
  r.compactArray((t) => t.compactString()); // subscribed topic names
  r.compactNullableString(); // subscribed topic regex
  const current = assignment(r);
  assignment(r); // target assignment
  r.skipTaggedFields();
  return { memberId, clientId, clientHost, assignment: current };
}

function group(r: ByteReader): DescribedGroup {
  const errorCode = r.int16();
  const errorMessage = r.compactNullableString();
  const groupId = r.compactString();
  const groupState = r.compactString();
  r.int32(); // group epoch
  r.int32(); // assignment epoch
  const assignorName = r.compactString();
  const members = r.compactArray(member);
  r.int32(); // authorized operations
  r.skipTaggedFields();
  return { errorCode, errorMessage, groupId, groupState, assignorName, members };
}

export function consumerGroupDescribeRequest(groupIds: string[]): ProtocolRequest {
  return {
    request: {
      apiKey: CONSUMER_GROUP_DESCRIBE,
      apiVersion: VERSION,
      apiName: 'ConsumerGroupDescribe',
      encode: async () => {
        const body = new Encoder().writeUVarInt(0).writeUVarInt(groupIds.length + 1);
        for (const id of groupIds) body.writeUVarIntString(id);
        return body.writeBoolean(false).writeUVarInt(0);
      },
    },
    response: {
      decode: async (payload) => {
        const r = new ByteReader(payload);
        r.skipTaggedFields(); // response header v1
        r.int32(); // throttle time
        const groups = r.compactArray(group);
        r.skipTaggedFields();
        return groups;
      },
      parse: async (groups) => groups,
    },
  };
}

/**
 * The group as the consumer protocol describes it; null when the broker does not know it as a
 * consumer-protocol group (a classic group, or none at all). Other errors throw as kafkajs's would.
 */
export function toConsumerProtocolGroup(groups: unknown, groupId: string): ConsumerGroupDescription | null {
  const found = (groups as DescribedGroup[]).find((g) => g.groupId === groupId);
  if (!found || NOT_A_CONSUMER_PROTOCOL_GROUP.has(found.errorCode)) return null;
  if (found.errorCode !== 0) throw createErrorFromCode(found.errorCode);
  return {
    groupId: found.groupId,
    groupProtocol: 'consumer',
    state: found.groupState,
    protocolType: 'consumer',
    protocol: found.assignorName,
    members: found.members
      .map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        host: m.clientHost.replace(/^\//, ''),
        assignments: m.assignment,
      }))
      .sort((a, b) => byName(a.memberId, b.memberId)),
  };
}
