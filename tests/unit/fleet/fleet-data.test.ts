import { describe, expect, it } from 'vitest';
import { breachMetric } from '@/lib/fleet/breach-metric';
import { chartThresholds } from '@/lib/fleet/chart-thresholds';
import { compareDlqs, splitBreaches, toGroupRow } from '@/lib/fleet/fleet-data';
import {
  type DlqView,
  dlqSubjectId,
  type FleetView,
  type GroupView,
  groupSubjectId,
  type Judgement,
} from '@/lib/fleet/fleet-view';
import { dlqHref, groupHref, segmentName } from '@/lib/fleet/links';
import { indexSources, staleSource } from '@/lib/fleet/staleness';
import { evaluateThresholds } from '@/lib/thresholds/evaluate';
import { resolveThresholds } from '@/lib/thresholds/resolve';
import { testGroup } from './rows';

const judged = (
  level: Judgement['level'],
  since: string | null,
  reason = `${level}: time lag 1 s > 0 s (x)`,
): Judgement => ({
  level,
  reason,
  metric: 'timeLagSeconds',
  since,
});

function dlq(
  name: string,
  level: Judgement['level'],
  depth: number | null,
  since: string | null = null,
): DlqView {
  return {
    id: dlqSubjectId('sqs', 'main', name),
    kind: 'sqs',
    source: 'main',
    name,
    depth,
    depthMethod: 'visible + in flight',
    sqsDepth: null,
    oldestAgeSeconds: null,
    oldestAgeNote: null,
    sources: [],
    judgement: judged(level, since, `${level}: DLQ depth ${depth} > 0 (default for DLQs)`),
    error: null,
  };
}

function view(groups: GroupView[], dlqs: DlqView[]): FleetView {
  return { takenAt: '2024-05-01T12:00:00Z', sources: [], groups, dlqs };
}

describe('splitBreaches', () => {
  it('puts critical before warn, the longest-running first, names last; the healthy rest apart', () => {
    const v = view(
      [
        testGroup({ groupId: 'warn-old', judgement: judged('warn', '2024-05-01T08:00:00Z') }),
        testGroup({ groupId: 'crit-new', judgement: judged('critical', '2024-05-01T11:50:00Z') }),
        testGroup({ groupId: 'crit-forever', judgement: judged('critical', null) }),
        testGroup({ groupId: 'b-crit-tie', judgement: judged('critical', '2024-05-01T11:00:00Z') }),
        testGroup({ groupId: 'fine', judgement: judged('ok', null) }),
      ],
      [dlq('a-crit-tie', 'critical', 3, '2024-05-01T11:00:00Z'), dlq('empty-dlq', 'ok', 0)],
    );
    const { breaches, healthy } = splitBreaches(v);
    expect(breaches.map((b) => (b.kind === 'group' ? b.group.groupId : b.dlq.name))).toEqual([
      'crit-forever',
      'a-crit-tie',
      'b-crit-tie',
      'crit-new',
      'warn-old',
    ]);
    expect(breaches.every((b) => b.spark === null)).toBe(true);
    expect(healthy).toEqual([
      {
        kind: 'dlq',
        id: dlqSubjectId('sqs', 'main', 'empty-dlq'),
        name: 'empty-dlq',
        where: 'sqs main',
        href: '/dlq/sqs/main/empty-dlq',
      },
      {
        kind: 'group',
        id: groupSubjectId('prod-eu', 'fine'),
        name: 'fine',
        where: 'kafka prod-eu',
        href: '/lag/prod-eu/fine',
      },
    ]);
  });

  it('a group row leaves out partitions and members but counts the members', () => {
    const row = toGroupRow(testGroup({ groupId: 'g' }));
    expect(row).not.toHaveProperty('partitions');
    expect(row).not.toHaveProperty('members');
    expect(row.memberCount).toBe(1);
  });

  it('DLQs sort worst first, then deepest, an unreadable depth last', () => {
    const sorted = [
      dlq('ok', 'ok', 0),
      dlq('unread', 'critical', null),
      dlq('deep', 'critical', 50),
      dlq('warn', 'warn', 900),
    ].sort(compareDlqs);
    expect(sorted.map((d) => d.name)).toEqual(['deep', 'unread', 'warn', 'ok']);
  });
});

describe('breachMetric', () => {
  // Judged as the worker judges: the real thresholds over the figures, then the figure that set the level.
  const thresholds = { defaults: { dlqOldestAgeSeconds: { warn: 3_600 } }, profiles: {}, overrides: [] };
  it.each([
    [{ timeLagSeconds: 400 }, 'group', 'time_lag'],
    [{ offsetLag: 12_000 }, 'group', 'lag'],
    [{ timeToClearSeconds: Number.POSITIVE_INFINITY }, 'group', 'lag'],
    [{ offsetLag: 0, timeLagSeconds: 0 }, 'group', 'lag'],
    [{ dlqDepth: 3 }, 'dlq', 'depth'],
    [{ dlqDepth: 0, dlqOldestAgeSeconds: 7_200_000 }, 'dlq', 'oldest_age'],
    [{ dlqDepth: 0 }, 'dlq', 'depth'],
  ] as const)('%o on a %s is drawn from its %s history', (figures, kind, metric) => {
    const subject =
      kind === 'group' ? { cluster: 'c', group: 'g', topic: 't' } : { cluster: 'c', queue: 'q' };
    const judgement = evaluateThresholds(figures, resolveThresholds(thresholds, subject));
    expect(breachMetric(judgement, kind)).toBe(metric);
  });

  it('draws the main figure for a level the lag status set, or a view stored before judgements named one', () => {
    expect(breachMetric({ metric: null }, 'group')).toBe('lag');
    expect(breachMetric({}, 'dlq')).toBe('depth');
  });
});

describe('chartThresholds', () => {
  it('draws the resolved warn and critical lines per history metric, with the rule that set them', () => {
    const resolved = resolveThresholds(
      { defaults: { offsetLag: { warn: 1_000 } }, profiles: {}, overrides: [] },
      { cluster: 'prod-eu', group: 'g', topic: 't' },
    );
    expect(chartThresholds(resolved)).toEqual({
      lag: [{ level: 'warn', value: 1_000, rule: 'thresholds.defaults' }],
      time_lag: [
        { level: 'warn', value: 60, rule: 'default, realtime profile' },
        { level: 'critical', value: 300, rule: 'default, realtime profile' },
      ],
      depth: [{ level: 'critical', value: 0, rule: 'default for DLQs' }],
    });
  });
});

describe('links and sources', () => {
  it('escapes names into one path segment each and reads them back', () => {
    expect(groupHref('prod-eu', 'team/app?x#1')).toBe('/lag/prod-eu/team%2Fapp%3Fx%231');
    expect(dlqHref('kafka', 'prod-eu', 'orders.DLT')).toBe('/dlq/kafka/prod-eu/orders.DLT');
    expect(segmentName('team%2Fapp%3Fx%231')).toBe('team/app?x#1');
    expect(segmentName('100%')).toBe('100%');
  });

  it('finds the failing source of a row, and none for a healthy one', () => {
    const down = {
      kind: 'kafka' as const,
      name: 'a',
      ok: false,
      error: 'refused',
      lastGoodAt: null,
      lastTriedAt: '',
      durationMs: 1,
    };
    const up = { ...down, name: 'b', ok: true, error: null };
    const index = indexSources([down, up]);
    expect(staleSource(index, 'kafka', 'a')).toBe(down);
    expect(staleSource(index, 'kafka', 'b')).toBeNull();
    expect(staleSource(index, 'sqs', 'a')).toBeNull();
  });
});
