import type {
  DlqView,
  FleetView,
  GroupView,
  Judgement,
  PartitionView,
  SourceView,
} from '@/lib/fleet/fleet-view';
import { LAG_STATUS_SEVERITY } from '@/lib/lag/lag-status';
import { LEVELS } from '@/lib/thresholds/metrics';
import { formatGauges, type Gauge, type LabelText, labelText, type Sample } from './exposition';

/*
 * The fleet view as Prometheus gauges, so teams alert through their own Alertmanager. A figure the
 * view does not have (null) is left out, never written as 0: "no data" must not read as "healthy".
 */

/** A view row with its labels, escaped once: a fleet has tens of thousands of partitions. */
interface Subject<T> {
  row: T;
  labels: LabelText;
}

const gauge = (name: string, help: string, samples: Sample[]): Gauge => ({
  name: `tidewatch_${name}`,
  help,
  samples,
});

/** Samples for the figures that exist: a null figure makes no sample. */
function present<T>(subjects: Subject<T>[], value: (row: T) => number | null): Sample[] {
  const samples: Sample[] = [];
  for (const { row, labels } of subjects) {
    const figure = value(row);
    if (figure !== null) samples.push({ labels, value: figure });
  }
  return samples;
}

/** One sample per subject and label value, 1 where `on` holds: the one-hot encoding of a state. */
function oneHot<T>(
  subjects: Subject<T>[],
  label: string,
  values: readonly string[],
  on: (row: T, v: string) => number,
) {
  const suffixes = values.map((v) => ({ v, labels: labelText({ [label]: v }) }));
  return subjects.flatMap(({ row, labels }) =>
    suffixes.map((s) => ({ labels: labelText(labels, s.labels), value: on(row, s.v) })),
  );
}

const epochSeconds = (iso: string | null): number | null => {
  const ms = iso === null ? Number.NaN : Date.parse(iso);
  return Number.isNaN(ms) ? null : ms / 1000;
};

const NO_LABELS = labelText();
const levelValue = (judgement: Judgement) => LEVELS.indexOf(judgement.level);

function snapshotGauges(view: FleetView | null, nowMs: number): Gauge[] {
  const takenAt = view ? epochSeconds(view.takenAt) : null;
  const only = (value: number | null): Sample[] => (value === null ? [] : [{ labels: NO_LABELS, value }]);
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

function sourceGauges(sources: Subject<SourceView>[]): Gauge[] {
  return [
    gauge(
      'source_up',
      "1 when the source's last read succeeded, 0 when it failed.",
      present(sources, (s) => (s.ok ? 1 : 0)),
    ),
    gauge(
      'source_last_success_timestamp_seconds',
      'When the source was last read successfully (Unix time).',
      present(sources, (s) => epochSeconds(s.lastGoodAt)),
    ),
    gauge(
      'source_read_duration_seconds',
      "How long the source's last read took.",
      present(sources, (s) => s.durationMs / 1000),
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

function groupGauges(groups: Subject<GroupView>[]): Gauge[] {
  return [
    gauge(
      'consumer_group_lag',
      'Offset lag summed over the partitions the group has committed on.',
      present(groups, (g) => (hasLag(g) ? g.offsetLag : null)),
    ),
    gauge(
      'consumer_group_max_lag',
      "The offset lag of the group's worst partition.",
      present(groups, (g) => (hasLag(g) ? g.maxLag : null)),
    ),
    gauge(
      'consumer_group_time_lag_seconds',
      "How far behind the group's worst partition is, in time.",
      present(groups, (g) => g.timeLag?.seconds ?? null),
    ),
    gauge(
      'consumer_group_time_to_clear_seconds',
      'When the backlog will be gone at the measured rates; 0 when clear, absent when not catching up.',
      present(groups, ({ timeToClear: t }) =>
        t.kind === 'clear' ? 0 : t.kind === 'clears_in' ? t.seconds : null,
      ),
    ),
    gauge(
      'consumer_group_not_catching_up',
      '1 when records arrive at least as fast as the group consumes them while it has lag, else 0.',
      present(groups, ({ timeToClear: { kind } }) =>
        kind === 'unknown' ? null : kind === 'not_catching_up' ? 1 : 0,
      ),
    ),
    gauge(
      'consumer_group_status',
      "The group's lag status, one-hot: 1 for its status, 0 for the others.",
      oneHot(groups, 'status', LAG_STATUS_SEVERITY, (g, status) => (g.status === status ? 1 : 0)),
    ),
    gauge(
      'consumer_group_members',
      'Members in the group; 0 means nothing is consuming.',
      present(groups, (g) => g.members.length),
    ),
    gauge(
      'consumer_group_flagged_partitions',
      'Partitions committed beyond the end, below the log start (data lost), held by an open transaction, or unreadable.',
      oneHot(groups, 'flag', Object.keys(FLAGS), (g, flag) => g.flags[FLAGS[flag as keyof typeof FLAGS]]),
    ),
  ];
}

function partitionGauges(partitions: Subject<PartitionView>[]): Gauge[] {
  return [
    gauge(
      'consumer_partition_lag',
      'High watermark minus committed offset, unclamped; absent without a commit.',
      present(partitions, (p) => p.lag),
    ),
    gauge(
      'consumer_partition_time_lag_seconds',
      'How far behind the group is on this partition, in time.',
      present(partitions, (p) => p.timeLag?.seconds ?? null),
    ),
  ];
}

function dlqGauges(dlqs: Subject<DlqView>[]): Gauge[] {
  return [
    gauge(
      'dlq_depth',
      'Dead-lettered messages waiting in the DLQ.',
      present(dlqs, (d) => d.depth),
    ),
    gauge(
      'dlq_oldest_age_seconds',
      'Age of the oldest message in the DLQ (a lower bound where the broker cannot tell exactly).',
      present(dlqs, (d) => d.oldestAgeSeconds),
    ),
  ];
}

function thresholdGauge(groups: Subject<GroupView>[], dlqs: Subject<DlqView>[]): Gauge {
  const judged = (kind: string, subjects: Subject<{ judgement: Judgement }>[]) => {
    const prefix = labelText({ subject_kind: kind });
    return subjects.map(({ row, labels }) => ({
      labels: labelText(prefix, labels),
      value: levelValue(row.judgement),
    }));
  };
  return gauge('threshold_level', 'Configured threshold level: 0 ok, 1 warn, 2 critical.', [
    ...judged('consumer_group', groups),
    ...judged('dlq', dlqs),
  ]);
}

function fleetGauges(view: FleetView): Gauge[] {
  const sources = view.sources.map((row) => ({ row, labels: labelText({ kind: row.kind, name: row.name }) }));
  const groups = view.groups.map((row) => ({
    row,
    labels: labelText({ cluster: row.cluster, group: row.groupId }),
  }));
  const partitions = groups.flatMap((g) =>
    g.row.partitions.map((row) => ({
      row,
      labels: labelText(g.labels, { topic: row.topic, partition: String(row.partition) }),
    })),
  );
  const dlqs = view.dlqs.map((row) => ({
    row,
    labels: labelText({ kind: row.kind, source: row.source, name: row.name }),
  }));
  return [
    ...sourceGauges(sources),
    ...groupGauges(groups),
    ...partitionGauges(partitions),
    ...dlqGauges(dlqs),
    thresholdGauge(groups, dlqs),
  ];
}

/**
 * The text served at GET /api/metrics. Before the worker's first view (view null) only
 * `tidewatch_snapshot_present 0` is written; `nowMs` dates the view's age.
 */
export function renderMetrics(view: FleetView | null, nowMs: number): string {
  return formatGauges([...snapshotGauges(view, nowMs), ...(view ? fleetGauges(view) : [])]);
}
