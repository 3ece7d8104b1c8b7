/**
 * Realistic fleet views built by hand, with every field the worker fills, judged by the real thresholds:
 * what the page tests and the page benchmark write into an app's store, as the worker would.
 */
import { configSchema } from '@/lib/config/schema';
import {
  type BrokerKind,
  type DlqView,
  dlqSubjectId,
  type FleetView,
  type GroupView,
  groupPartitionSeries,
  groupSubjectId,
  type Judgement,
  type PartitionView,
  type SourceView,
} from '@/lib/fleet/fleet-view';
import type { LagStatus } from '@/lib/lag/lag-status';
import { timeToClear } from '@/lib/lag/time-to-clear';
import { evaluateThresholds, type MeasuredFigures } from '@/lib/thresholds/evaluate';
import { resolveThresholds, type ThresholdSubject } from '@/lib/thresholds/resolve';
import { writeLatestView } from '@/server/fleet/latest-view';
import { recordSamples, type SampleRow } from '@/server/history/samples';
import type { Store } from '@/server/store/db';

const THRESHOLDS = configSchema.shape.thresholds.parse(undefined);

let clock = Date.now();
/** A fresh snapshot time for each view: the app re-reads the stored view when its time changes. */
export function nextTakenAt(): string {
  clock = Math.max(clock + 1_000, Date.now());
  return new Date(clock).toISOString();
}

const isoAgo = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();

export function source(
  kind: BrokerKind,
  name: string,
  failing?: { error: string; lastGoodSecondsAgo: number },
): SourceView {
  return {
    kind,
    name,
    ok: !failing,
    error: failing?.error ?? null,
    lastGoodAt: isoAgo(failing?.lastGoodSecondsAgo ?? 2),
    lastTriedAt: isoAgo(1),
    durationMs: failing ? 10_000 : 420,
  };
}

export const SOURCES_OK = (): SourceView[] => [
  source('kafka', 'prod-eu'),
  source('kafka', 'prod-us'),
  source('sqs', 'main'),
];

/** Judged the way the worker judges: the real thresholds (built-in defaults) over the figures. */
function judgement(
  subject: ThresholdSubject,
  figures: MeasuredFigures,
  sinceSecondsAgo: number | null,
): Judgement {
  const { level, reason, metric } = evaluateThresholds(figures, resolveThresholds(THRESHOLDS, subject));
  return { level, reason, metric, since: sinceSecondsAgo === null ? null : isoAgo(sinceSecondsAgo) };
}

export interface GroupSpec {
  cluster?: string;
  groupId: string;
  topic?: string;
  partitions?: number;
  /** Lag of each partition. */
  lagPerPartition?: number;
  timeLagSeconds?: number;
  status?: LagStatus;
  /** Seconds since the group entered its level. */
  sinceSecondsAgo?: number | null;
  consumedPerSecond?: number;
  producedPerSecond?: number;
  /** Per-partition oddities, by partition number. */
  oddities?: Record<number, Partial<PartitionView>>;
}

export function group(spec: GroupSpec): GroupView {
  const cluster = spec.cluster ?? 'prod-eu';
  const topic = spec.topic ?? 'orders';
  const count = spec.partitions ?? 3;
  const lag = spec.lagPerPartition ?? 0;
  const seconds = spec.timeLagSeconds ?? 0;
  const timeLag =
    lag === 0 ? { seconds: 0, method: 'caught-up' as const } : { seconds, method: 'interpolated' as const };
  const status = spec.status ?? 'OK';
  const partitions: PartitionView[] = Array.from({ length: count }, (_, partition) => {
    const high = 100_000 + partition * 1_000;
    return {
      topic,
      partition,
      committed: String(high - lag),
      low: '0',
      high: String(high),
      stable: String(high),
      state: 'ok',
      lag,
      pendingTransactional: 0,
      skipped: 0,
      timeLag,
      status,
      statusReason: status === 'OK' ? 'consuming' : `partition is ${status}`,
      error: null,
      ...spec.oddities?.[partition],
    };
  });
  const offsetLag = partitions.reduce((sum, p) => sum + Math.max(0, p.lag ?? 0), 0);
  const worst = partitions.reduce((a, p) => ((p.lag ?? 0) > (a.lag ?? 0) ? p : a));
  const consumed = spec.consumedPerSecond ?? 50;
  const produced = spec.producedPerSecond ?? 50;
  const ttc = timeToClear(offsetLag, consumed, produced);
  const members = Math.min(count, 2);
  return {
    id: groupSubjectId(cluster, spec.groupId),
    cluster,
    groupId: spec.groupId,
    groupProtocol: 'classic',
    state: members > 0 ? 'Stable' : 'Empty',
    members: Array.from({ length: members }, (_, m) => ({
      memberId: `${spec.groupId}-member-${m}-5f1c`,
      clientId: `${spec.groupId}-client-${m}`,
      host: `/10.0.1.${10 + m}`,
      assignments: [
        { topic, partitions: partitions.map((p) => p.partition).filter((p) => p % members === m) },
      ],
    })),
    topics: [topic],
    offsetLag,
    maxLag: worst.lag ?? 0,
    worstPartition: worst.lag ? { topic, partition: worst.partition, lag: worst.lag } : null,
    timeLag,
    consumedPerSecond: consumed,
    producedPerSecond: produced,
    timeToClear: ttc,
    status,
    statusReason: status === 'OK' ? 'consuming, lag steady or falling' : `a partition is ${status}`,
    judgement: judgement(
      { cluster, group: spec.groupId, topic },
      {
        offsetLag,
        timeLagSeconds: timeLag.seconds,
        timeToClearSeconds: ttc.kind === 'clears_in' ? ttc.seconds : undefined,
      },
      spec.sinceSecondsAgo === undefined ? 600 : spec.sinceSecondsAgo,
    ),
    flags: {
      beyondEnd: partitions.filter((p) => p.state === 'beyond_end').length,
      belowStart: partitions.filter((p) => p.state === 'below_start').length,
      openTransactions: partitions.filter((p) => p.pendingTransactional > 0).length,
      unreadable: partitions.filter((p) => p.state === 'unreadable').length,
    },
    partitions,
    gone: false,
    error: null,
  };
}

export interface DlqSpec {
  kind: BrokerKind;
  source: string;
  name: string;
  depth: number;
  oldestAgeSeconds?: number | null;
  sources?: string[];
  sinceSecondsAgo?: number | null;
}

export function dlq(spec: DlqSpec): DlqView {
  const subject =
    spec.kind === 'kafka'
      ? { cluster: spec.source, topic: spec.name }
      : { cluster: spec.source, queue: spec.name };
  const oldest = spec.oldestAgeSeconds ?? (spec.depth > 0 ? 3_600 : null);
  return {
    id: dlqSubjectId(spec.kind, spec.source, spec.name),
    kind: spec.kind,
    source: spec.source,
    name: spec.name,
    depth: spec.depth,
    depthMethod: spec.kind === 'kafka' ? 'end − start offset (retention)' : 'visible + in flight',
    sqsDepth: spec.kind === 'sqs' ? { visible: spec.depth, inFlight: 0, delayed: 0 } : null,
    oldestAgeSeconds: oldest,
    oldestAgeNote: oldest === null ? 'empty' : null,
    sources: spec.sources ?? [],
    judgement: judgement(
      subject,
      { dlqDepth: spec.depth, dlqOldestAgeSeconds: oldest },
      spec.sinceSecondsAgo ?? 1_200,
    ),
    error: null,
  };
}

export function fleetView(parts: {
  sources?: SourceView[];
  groups?: GroupView[];
  dlqs?: DlqView[];
}): FleetView {
  return {
    takenAt: nextTakenAt(),
    sources: parts.sources ?? SOURCES_OK(),
    groups: parts.groups ?? [],
    dlqs: parts.dlqs ?? [],
  };
}

/** `count` groups over both clusters; every tenth falls behind (warn), every fiftieth is critical. */
export function manyGroups(count: number): GroupView[] {
  return Array.from({ length: count }, (_, i) => {
    const behind = i % 50 === 0 ? 900 : i % 10 === 0 ? 120 : 0;
    return group({
      cluster: i % 2 === 0 ? 'prod-eu' : 'prod-us',
      groupId: `svc-${String(i).padStart(4, '0')}`,
      topic: `topic-${i % 500}`,
      partitions: 4,
      lagPerPartition: behind === 0 ? 0 : behind * 10,
      timeLagSeconds: behind,
      status: behind === 900 ? 'STALL' : behind > 0 ? 'WARN' : 'OK',
      consumedPerSecond: behind > 0 ? 10 : 50,
      producedPerSecond: behind > 0 ? 12 : 50,
    });
  });
}

export async function writeView(store: Store, view: FleetView): Promise<FleetView> {
  await writeLatestView(store, view);
  return view;
}

/**
 * An hour of history, one point a minute, for each group (lag, time lag and each partition's lag) and
 * DLQ (depth), rising towards the view's figures as an incident does.
 */
export async function writeHistory(store: Store, view: FleetView): Promise<void> {
  const now = Date.now();
  for (let minute = 60; minute >= 1; minute--) {
    const share = (60 - minute) / 60;
    const rows: SampleRow[] = [];
    for (const g of view.groups) {
      rows.push({ series: g.id, metric: 'lag', value: Math.round(g.offsetLag * share) });
      rows.push({ series: g.id, metric: 'time_lag', value: Math.round((g.timeLag?.seconds ?? 0) * share) });
      for (const p of g.partitions) {
        rows.push({
          series: groupPartitionSeries(g.cluster, g.groupId, p.topic, p.partition),
          metric: 'lag',
          value: Math.round((p.lag ?? 0) * share),
        });
      }
    }
    for (const d of view.dlqs)
      rows.push({ series: d.id, metric: 'depth', value: Math.round((d.depth ?? 0) * share) });
    await recordSamples(store, now - minute * 60_000, rows);
  }
}
