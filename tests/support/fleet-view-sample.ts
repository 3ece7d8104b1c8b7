/** Fleet views built by hand, with every field the worker fills, for the readers' tests. */
import {
  type DlqView,
  dlqSubjectId,
  type FleetView,
  type GroupView,
  groupSubjectId,
  type PartitionView,
} from '@/lib/fleet/fleet-view';

export function samplePartition(overrides: Partial<PartitionView> = {}): PartitionView {
  return {
    topic: 'orders',
    partition: 0,
    committed: '90',
    low: '0',
    high: '100',
    stable: '100',
    state: 'ok',
    lag: 10,
    pendingTransactional: 0,
    skipped: 0,
    timeLag: { seconds: 12.5, method: 'interpolated' },
    status: 'OK',
    statusReason: 'consuming',
    error: null,
    ...overrides,
  };
}

export function sampleGroup(
  cluster: string,
  groupId: string,
  overrides: Partial<Omit<GroupView, 'id' | 'cluster' | 'groupId'>> = {},
): GroupView {
  return {
    id: groupSubjectId(cluster, groupId),
    cluster,
    groupId,
    groupProtocol: 'classic',
    state: 'Stable',
    members: [{ memberId: 'm-1', clientId: 'app', host: '/10.0.0.1', assignments: [] }],
    topics: ['orders'],
    offsetLag: 10,
    maxLag: 10,
    worstPartition: { topic: 'orders', partition: 0, lag: 10 },
    timeLag: { seconds: 12.5, method: 'interpolated' },
    consumedPerSecond: 5,
    producedPerSecond: 4,
    timeToClear: { kind: 'clears_in', seconds: 10 },
    status: 'OK',
    statusReason: 'consuming',
    judgement: { level: 'ok', reason: 'within thresholds', metric: null, since: null },
    flags: { beyondEnd: 0, belowStart: 0, openTransactions: 0, unreadable: 0 },
    partitions: [samplePartition()],
    gone: false,
    error: null,
    ...overrides,
  };
}

export function sampleDlq(
  kind: DlqView['kind'],
  source: string,
  name: string,
  overrides: Partial<Omit<DlqView, 'id' | 'kind' | 'source' | 'name'>> = {},
): DlqView {
  return {
    id: dlqSubjectId(kind, source, name),
    kind,
    source,
    name,
    depth: 3,
    depthMethod: kind === 'sqs' ? 'visible + in flight' : 'end − start offset (retention)',
    sqsDepth: kind === 'sqs' ? { visible: 2, inFlight: 1, delayed: 0 } : null,
    oldestAgeSeconds: 600,
    oldestAgeNote: null,
    sources: [],
    judgement: {
      level: 'critical',
      reason: 'critical: DLQ depth 3 > 0 (default for DLQs)',
      metric: 'dlqDepth',
      since: null,
    },
    error: null,
    ...overrides,
  };
}

export function sampleView(overrides: Partial<FleetView> = {}): FleetView {
  return {
    takenAt: '2025-01-02T03:04:05.000Z',
    sources: [
      {
        kind: 'kafka',
        name: 'prod-eu',
        ok: true,
        error: null,
        lastGoodAt: '2025-01-02T03:04:05.000Z',
        lastTriedAt: '2025-01-02T03:04:05.000Z',
        durationMs: 250,
      },
    ],
    groups: [sampleGroup('prod-eu', 'billing')],
    dlqs: [sampleDlq('kafka', 'prod-eu', 'orders.DLT')],
    ...overrides,
  };
}
