import { type GroupView, groupSubjectId } from '@/lib/fleet/fleet-view';

/** A healthy one-partition group; tests override what they look at. */
export function testGroup(over: Partial<GroupView> & { groupId: string }): GroupView {
  const cluster = over.cluster ?? 'prod-eu';
  return {
    id: groupSubjectId(cluster, over.groupId),
    cluster,
    groupProtocol: 'classic',
    state: 'Stable',
    members: [
      {
        memberId: 'm-1',
        clientId: 'c-1',
        host: '/10.0.0.1',
        assignments: [{ topic: 'orders', partitions: [0] }],
      },
    ],
    topics: ['orders'],
    offsetLag: 0,
    maxLag: 0,
    worstPartition: null,
    timeLag: { seconds: 0, method: 'caught-up' },
    consumedPerSecond: 10,
    producedPerSecond: 10,
    timeToClear: { kind: 'clear' },
    status: 'OK',
    statusReason: 'consuming',
    judgement: { level: 'ok', reason: 'ok: 1 figure within thresholds', metric: null, since: null },
    flags: { beyondEnd: 0, belowStart: 0, openTransactions: 0, unreadable: 0 },
    partitions: [],
    gone: false,
    error: null,
    ...over,
  };
}
