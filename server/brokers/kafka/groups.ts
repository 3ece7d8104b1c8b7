import 'server-only';
import { AssignerProtocol, type GroupDescription } from 'kafkajs';
import { byName } from '@/lib/sort';
import type { ConsumerGroupDescription, ConsumerGroupMember, TopicPartitions } from './types';

/** The topic-partitions of a consumer-protocol member assignment; [] when empty or not decodable. */
export function decodeAssignment(bytes: Buffer | null | undefined): TopicPartitions[] {
  if (!bytes || bytes.length === 0) return [];
  try {
    const decoded = AssignerProtocol.MemberAssignment.decode(bytes);
    if (!decoded) return [];
    return Object.entries(decoded.assignment)
      .map(([topic, partitions]) => ({ topic, partitions: [...partitions].sort((a, b) => a - b) }))
      .sort((a, b) => byName(a.topic, b.topic));
  } catch {
    // Truncated or foreign bytes: show the member without an assignment rather than fail the page.
    return [];
  }
}

export function toGroupDescription(group: GroupDescription): ConsumerGroupDescription {
  // Only the "consumer" protocol defines the assignment format; Connect and others use their own.
  const consumer = group.protocolType === 'consumer';
  const members: ConsumerGroupMember[] = group.members.map((m) => ({
    memberId: m.memberId,
    clientId: m.clientId,
    // Kafka reports the host as InetAddress.toString(): "/10.0.0.7".
    host: m.clientHost.replace(/^\//, ''),
    assignments: consumer ? decodeAssignment(m.memberAssignment) : [],
  }));
  return {
    groupId: group.groupId,
    groupProtocol: 'classic',
    state: group.state,
    protocolType: group.protocolType,
    protocol: group.protocol,
    members: members.sort((a, b) => byName(a.memberId, b.memberId)),
  };
}
