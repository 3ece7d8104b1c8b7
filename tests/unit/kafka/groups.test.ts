import { AssignerProtocol } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { decodeAssignment, toGroupDescription } from '@/server/brokers/kafka/groups';

const assignment = AssignerProtocol.MemberAssignment.encode({
  version: 0,
  assignment: { orders: [2, 0], audit: [1] },
  userData: Buffer.alloc(0),
});

describe('decodeAssignment', () => {
  it('decodes a consumer assignment into sorted topic-partitions', () => {
    expect(decodeAssignment(assignment)).toEqual([
      { topic: 'audit', partitions: [1] },
      { topic: 'orders', partitions: [0, 2] },
    ]);
  });

  it.each([
    { name: 'null', bytes: null },
    { name: 'empty (a member between rebalances)', bytes: Buffer.alloc(0) },
    { name: 'truncated', bytes: assignment.subarray(0, 7) },
    { name: 'foreign bytes', bytes: Buffer.from([0x00, 0x01, 0x7f, 0xff, 0xff, 0xff]) },
  ])('returns [] for $name', ({ bytes }) => {
    expect(decodeAssignment(bytes)).toEqual([]);
  });
});

describe('toGroupDescription', () => {
  const member = {
    memberId: 'm-2',
    clientId: 'billing-svc',
    clientHost: '/10.0.0.7',
    memberMetadata: Buffer.alloc(0),
    memberAssignment: assignment,
  };

  it('strips the slash Kafka puts before the host and decodes assignments', () => {
    const group = toGroupDescription({
      groupId: 'billing',
      state: 'Stable',
      protocolType: 'consumer',
      protocol: 'RoundRobinAssigner',
      members: [member, { ...member, memberId: 'm-1', memberAssignment: Buffer.alloc(0) }],
    });
    expect(group.members.map((m) => [m.memberId, m.host, m.assignments.length])).toEqual([
      ['m-1', '10.0.0.7', 0],
      ['m-2', '10.0.0.7', 2],
    ]);
  });

  it('does not decode assignments of a non-consumer protocol', () => {
    const group = toGroupDescription({
      groupId: 'connect-cluster',
      state: 'Stable',
      protocolType: 'connect',
      protocol: 'sessioned',
      members: [member],
    });
    expect(group.members[0]?.assignments).toEqual([]);
  });
});
