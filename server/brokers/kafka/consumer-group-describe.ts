import 'server-only';
import Decoder from 'kafkajs/src/protocol/decoder';
import Encoder from 'kafkajs/src/protocol/encoder';
import { createErrorFromCode } from 'kafkajs/src/protocol/error';
import { byName } from '@/lib/sort';
import { skipTaggedFields } from './flexible-codec';
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

function string(d: Decoder): string {
  return d.readUVarIntString() ?? '';
}

function array<T>(d: Decoder, reader: (d: Decoder) => T): T[] {
  return d.readUVarIntArray(reader) ?? [];
}

function assignment(d: Decoder): TopicPartitions[] {
  const topics = array(d, (t) => {
    t.forward(16); // topic id (uuid): the name follows
    const topic = string(t);
    const partitions = array(t, (p) => p.readInt32()).sort((a, b) => a - b);
    skipTaggedFields(t);
    return { topic, partitions };
  });
  skipTaggedFields(d);
  return topics.sort((a, b) => byName(a.topic, b.topic));
}

function member(d: Decoder): DescribedGroup['members'][number] {
  const memberId = string(d);
  d.readUVarIntString(); // instance id
  d.readUVarIntString(); // rack id
  d.readInt32(); // member epoch
  const clientId = string(d);
  const clientHost = string(d);
  array(d, string); // subscribed topic names
  d.readUVarIntString(); // subscribed topic regex
  const current = assignment(d);
  assignment(d); // target assignment
  skipTaggedFields(d);
  return { memberId, clientId, clientHost, assignment: current };
}

function group(d: Decoder): DescribedGroup {
  const errorCode = d.readInt16();
  const errorMessage = d.readUVarIntString();
  const groupId = string(d);
  const groupState = string(d);
  d.readInt32(); // group epoch
  d.readInt32(); // assignment epoch
  const assignorName = string(d);
  const members = array(d, member);
  d.readInt32(); // authorized operations
  skipTaggedFields(d);
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
        const d = new Decoder(payload);
        skipTaggedFields(d); // response header v1
        d.readInt32(); // throttle time
        const groups = array(d, group);
        skipTaggedFields(d);
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
