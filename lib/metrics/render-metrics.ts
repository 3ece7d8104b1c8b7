import type { DlqView, FleetView, GroupView, Judgement, SourceView } from '@/lib/fleet/fleet-view';
import { LAG_STATUS_SEVERITY } from '@/lib/lag/lag-status';
import { LEVELS } from '@/lib/thresholds/metrics';
import { formatGauges, type Gauge, type Sample } from './exposition';

/*
 * The fleet view as Prometheus gauges, so teams alert through their own Alertmanager. A figure the
 * view does not have (null) is left out, never written as 0: "no data" must not read as "healthy".
 */

const gauge = (name: string, help: string, samples: Sample[]): Gauge => ({
  name: `tidewatch_${name}`,
  help,
  samples,
});

/** Samples for the figures that exist: a null figure makes no sample. */
function present<T>(
  items: T[],
  labels: (item: T) => Record<string, string>,
  value: (item: T) => number | null,
): Sample[] {
  const samples: Sample[] = [];
  for (const item of items) {
    const figure = value(item);
    if (figure !== null) samples.push({ labels: labels(item), value: figure });
  }
  return samples;
}

const epochSeconds = (iso: string | null): number | null => {
  const ms = iso === null ? Number.NaN : Date.parse(iso);
  return Number.isNaN(ms) ? null : ms / 1000;
};

const sourceLabels = (s: SourceView) => ({ kind: s.kind, name: s.name });
const groupLabels = (g: GroupView) => ({ cluster: g.cluster, group: g.groupId });
const dlqLabels = (d: DlqView) => ({ kind: d.kind, source: d.source, name: d.name });
const levelValue = (judgement: Judgement) => LEVELS.indexOf(judgement.level);

function snapshotGauges(view: FleetView | null, nowMs: number): Gauge[] {
  const takenAt = view ? epochSeconds(view.takenAt) : null;
  const only = (value: number | null): Sample[] => (value === null ? [] : [{ labels: {}, value }]);
  return [
    gauge(
      'snapshot_present',
      '1 once the worker has stored a fleet view, 0 before its first.',
      only(view ? 1 : 0),
    ),
    gauge(
      'snapshot_timestamp_seconds',
      'When the snapshot behind the served view was taken (Unix time).',
      only(takenAt),
    ),
    gauge(
      'snapshot_age_seconds',
      'Age of the served view at scrape time: a stale worker shows here.',
      only(takenAt === null ? null : nowMs / 1000 - takenAt),
    ),
  ];
}

function sourceGauges(sources: SourceView[]): Gauge[] {
  return [
    gauge(
      'source_up',
      "1 when the source's last read succeeded, 0 when it failed.",
      present(sources, sourceLabels, (s) => (s.ok ? 1 : 0)),
    ),
    gauge(
      'source_last_success_timestamp_seconds',
      'When the source was last read successfully (Unix time).',
      present(sources, sourceLabels, (s) => epochSeconds(s.lastGoodAt)),
    ),
    gauge(
      'source_read_duration_seconds',
      "How long the source's last read took.",
      present(sources, sourceLabels, (s) => s.durationMs / 1000),
    ),
  ];
}

// A group with no commit anywhere has no lag figure, though its totals read 0.
const hasLag = (g: GroupView) => g.partitions.some((p) => p.lag !== null);

const FLAGS = {
  beyond_end: 'beyondEnd',
  below_start: 'belowStart',
  open_transaction: 'openTransactions',
  unreadable: 'unreadable',
} as const;

function groupGauges(groups: GroupView[]): Gauge[] {
  return [
    gauge(
      'consumer_group_lag',
      'Offset lag summed over the partitions the group has committed on.',
      present(groups, groupLabels, (g) => (hasLag(g) ? g.offsetLag : null)),
    ),
    gauge(
      'consumer_group_max_lag',
      "The offset lag of the group's worst partition.",
      present(groups, groupLabels, (g) => (hasLag(g) ? g.maxLag : null)),
    ),
    gauge(
      'consumer_group_time_lag_seconds',
      "How far behind the group's worst partition is, in time.",
      present(groups, groupLabels, (g) => g.timeLag?.seconds ?? null),
    ),
    gauge(
      'consumer_group_time_to_clear_seconds',
      'When the backlog will be gone at the measured rates; 0 when clear, absent when not catching up.',
      present(groups, groupLabels, (g) => {
        const t = g.timeToClear;
        return t.kind === 'clear' ? 0 : t.kind === 'clears_in' ? t.seconds : null;
      }),
    ),
    gauge(
      'consumer_group_not_catching_up',
      '1 when records arrive at least as fast as the group consumes them while it has lag, else 0.',
      present(groups, groupLabels, (g) => {
        const { kind } = g.timeToClear;
        return kind === 'unknown' ? null : kind === 'not_catching_up' ? 1 : 0;
      }),
    ),
    gauge(
      'consumer_group_status',
      "The group's lag status, one-hot: 1 for its status, 0 for the others.",
      groups.flatMap((g) =>
        LAG_STATUS_SEVERITY.map((status) => ({
          labels: { ...groupLabels(g), status },
          value: g.status === status ? 1 : 0,
        })),
      ),
    ),
    gauge(
      'consumer_group_members',
      'Members in the group; 0 means nothing is consuming.',
      present(groups, groupLabels, (g) => g.members.length),
    ),
    gauge(
      'consumer_group_flagged_partitions',
      'Partitions committed beyond the end, below the log start (data lost), held by an open transaction, or unreadable.',
      groups.flatMap((g) =>
        Object.entries(FLAGS).map(([flag, key]) => ({
          labels: { ...groupLabels(g), flag },
          value: g.flags[key],
        })),
      ),
    ),
  ];
}

function partitionGauges(groups: GroupView[]): Gauge[] {
  const rows = groups.flatMap((g) => g.partitions.map((p) => ({ g, p })));
  const labels = ({ g, p }: (typeof rows)[number]) => ({
    ...groupLabels(g),
    topic: p.topic,
    partition: String(p.partition),
  });
  return [
    gauge(
      'consumer_partition_lag',
      'High watermark minus committed offset, unclamped; absent without a commit.',
      present(rows, labels, ({ p }) => p.lag),
    ),
    gauge(
      'consumer_partition_time_lag_seconds',
      'How far behind the group is on this partition, in time.',
      present(rows, labels, ({ p }) => p.timeLag?.seconds ?? null),
    ),
  ];
}

function dlqGauges(dlqs: DlqView[]): Gauge[] {
  return [
    gauge(
      'dlq_depth',
      'Dead-lettered messages waiting in the DLQ.',
      present(dlqs, dlqLabels, (d) => d.depth),
    ),
    gauge(
      'dlq_oldest_age_seconds',
      'Age of the oldest message in the DLQ (a lower bound where the broker cannot tell exactly).',
      present(dlqs, dlqLabels, (d) => d.oldestAgeSeconds),
    ),
  ];
}

function thresholdGauge(view: FleetView): Gauge {
  const samples = [
    ...view.groups.map((g) => ({
      labels: { subject_kind: 'consumer_group', ...groupLabels(g) },
      value: levelValue(g.judgement),
    })),
    ...view.dlqs.map((d) => ({
      labels: { subject_kind: 'dlq', ...dlqLabels(d) },
      value: levelValue(d.judgement),
    })),
  ];
  return gauge('threshold_level', 'Configured threshold level: 0 ok, 1 warn, 2 critical.', samples);
}

/**
 * The text served at GET /api/metrics. Before the worker's first view (view null) only
 * `tidewatch_snapshot_present 0` is written; `nowMs` dates the view's age.
 */
export function renderMetrics(view: FleetView | null, nowMs: number): string {
  const gauges = snapshotGauges(view, nowMs);
  if (view) {
    gauges.push(
      ...sourceGauges(view.sources),
      ...groupGauges(view.groups),
      ...partitionGauges(view.groups),
      ...dlqGauges(view.dlqs),
      thresholdGauge(view),
    );
  }
  return formatGauges(gauges);
}
