import type {
  BrokerKind,
  DlqView,
  FleetView,
  GroupView,
  Judgement,
  SourceView,
  SubjectId,
} from '@/lib/fleet/fleet-view';
import { byName } from '@/lib/sort';
import { LEVELS } from '@/lib/thresholds/metrics';
import type { HistoryMetric } from './history-query';
import { dlqHref, groupHref } from './links';

/*
 * What the fleet routes answer and the fleet pages render first: slices of the worker's latest view.
 * `snapshot` is null until the worker has written its first view.
 */

export interface SnapshotHead {
  takenAt: string;
  sources: SourceView[];
}

export type FleetData<T> = { snapshot: (SnapshotHead & T) | null };

/** A group without its partitions and member details: what a table row needs. */
export type GroupRow = Omit<GroupView, 'partitions' | 'members'> & { memberCount: number };

export interface Spark {
  metric: HistoryMetric;
  points: { at: number; value: number }[];
}

export type DlqRow = DlqView & { spark: Spark | null };

export type Breach =
  | { kind: 'group'; id: SubjectId; judgement: Judgement; group: GroupRow; spark: Spark | null }
  | { kind: 'dlq'; id: SubjectId; judgement: Judgement; dlq: DlqView; spark: Spark | null };

export interface HealthyItem {
  kind: 'group' | 'dlq';
  id: SubjectId;
  name: string;
  /** "kafka prod-eu". */
  where: string;
  href: string;
}

export type OverviewData = FleetData<{ breaches: Breach[]; healthy: HealthyItem[] }>;
export type GroupsData = FleetData<{ groups: GroupRow[] }>;
export type GroupData = FleetData<{ group: GroupView }>;
export type DlqsData = FleetData<{ dlqs: DlqRow[] }>;
export type DlqData = FleetData<{ dlq: DlqView }>;

export function headOf(view: FleetView): SnapshotHead {
  return { takenAt: view.takenAt, sources: view.sources };
}

export function toGroupRow(group: GroupView): GroupRow {
  const { partitions: _partitions, members, ...row } = group;
  return { ...row, memberCount: members.length };
}

const levelRank = (j: Judgement) => LEVELS.indexOf(j.level);
const sinceMs = (j: Judgement) => (j.since === null ? Number.NEGATIVE_INFINITY : Date.parse(j.since));
export const breachName = (b: Breach) => (b.kind === 'group' ? b.group.groupId : b.dlq.name);

/**
 * Worst first: critical before warn, then the longest in breach (a level held since before the history
 * began, `since` null, counts as longest), then by name so the order holds still between polls.
 */
export function compareBreaches(a: Breach, b: Breach): number {
  const byLevel = levelRank(b.judgement) - levelRank(a.judgement);
  if (byLevel !== 0) return byLevel;
  const bySince = sinceMs(a.judgement) - sinceMs(b.judgement);
  if (bySince !== 0 && !Number.isNaN(bySince)) return bySince;
  return byName(breachName(a), breachName(b));
}

export interface SplitFleet {
  /** Without sparklines yet: the server adds them from the history. */
  breaches: Breach[];
  healthy: HealthyItem[];
}

/** Every group and DLQ at warn or critical, worst first; the rest as a plain list. */
export function splitBreaches(view: FleetView): SplitFleet {
  const breaches: Breach[] = [];
  const healthy: HealthyItem[] = [];
  for (const group of view.groups) {
    const { id, judgement, cluster, groupId } = group;
    if (judgement.level !== 'ok') {
      breaches.push({ kind: 'group', id, judgement, group: toGroupRow(group), spark: null });
      continue;
    }
    healthy.push({
      kind: 'group',
      id,
      name: groupId,
      where: `kafka ${cluster}`,
      href: groupHref(cluster, groupId),
    });
  }
  for (const dlq of view.dlqs) {
    const { id, judgement, kind, source, name } = dlq;
    if (judgement.level !== 'ok') {
      breaches.push({ kind: 'dlq', id, judgement, dlq, spark: null });
      continue;
    }
    healthy.push({ kind: 'dlq', id, name, where: `${kind} ${source}`, href: dlqHref(kind, source, name) });
  }
  breaches.sort(compareBreaches);
  healthy.sort((a, b) => byName(a.name, b.name) || byName(a.where, b.where));
  return { breaches, healthy };
}

/** `kafka:prod-eu`: how rows find the source their data came from. */
export const sourceKey = (kind: BrokerKind, name: string) => `${kind}:${name}`;

/** Worst first: by level, then the deepest, then by broker, source and name. */
export function compareDlqs(a: DlqView, b: DlqView): number {
  return (
    levelRank(b.judgement) - levelRank(a.judgement) ||
    (b.depth ?? -1) - (a.depth ?? -1) ||
    byName(a.kind, b.kind) ||
    byName(a.source, b.source) ||
    byName(a.name, b.name)
  );
}
