import { describe, expect, it } from 'vitest';
import { toConsumerProtocolGroup } from '@/server/brokers/kafka/consumer-group-describe';

const described = (errorCode: number) => [
  {
    errorCode,
    errorMessage: null,
    groupId: 'billing',
    groupState: 'Stable',
    assignorName: 'uniform',
    members: [
      {
        memberId: 'm-2',
        clientId: 'c',
        clientHost: '/10.0.0.7',
        assignment: [{ topic: 'orders', partitions: [1] }],
      },
      { memberId: 'm-1', clientId: 'c', clientHost: '/10.0.0.8', assignment: [] },
    ],
  },
];

describe('toConsumerProtocolGroup', () => {
  it('maps a described group, members sorted, hosts without the leading slash', () => {
    expect(toConsumerProtocolGroup(described(0), 'billing')).toEqual({
      groupId: 'billing',
      groupProtocol: 'consumer',
      state: 'Stable',
      protocolType: 'consumer',
      protocol: 'uniform',
      members: [
        { memberId: 'm-1', clientId: 'c', host: '10.0.0.8', assignments: [] },
        {
          memberId: 'm-2',
          clientId: 'c',
          host: '10.0.0.7',
          assignments: [{ topic: 'orders', partitions: [1] }],
        },
      ],
    });
  });

  it.each([
    [69, 'GROUP_ID_NOT_FOUND: a classic group, or none'],
    [35, 'UNSUPPORTED_VERSION: the new protocol is switched off (a 3.x broker)'],
  ])('answers null for error %i (%s), so the caller can say not found', (code) => {
    expect(toConsumerProtocolGroup(described(code), 'billing')).toBeNull();
    expect(toConsumerProtocolGroup([], 'billing')).toBeNull();
  });

  it('throws the protocol error for anything else', () => {
    expect(() => toConsumerProtocolGroup(described(30), 'billing')).toThrow(
      expect.objectContaining({ type: 'GROUP_AUTHORIZATION_FAILED' }),
    );
  });
});
