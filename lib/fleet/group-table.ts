import { LAG_STATUS_SEVERITY, type LagStatus } from '@/lib/lag/lag-status';
import type { TimeToClear } from '@/lib/lag/time-to-clear';
import { byName } from '@/lib/sort';
import { LEVELS } from '@/lib/thresholds/metrics';
import { z } from '@/lib/zod';
import type { GroupRow } from './fleet-data';

/** Sorting and filtering of the consumer-lag table, kept in the URL so a view can be shared. */

export const GROUP_COLUMNS = [
  'cluster',
  'group',
  'protocol',
  'state',
  'members',
  'offsetLag',
  'maxLag',
  'timeLag',
  'timeToClear',
  'status',
  'level',
] as const;
export type GroupColumn = (typeof GROUP_COLUMNS)[number];

export const groupTableSchema = z.object({
  q: z.string().max(200).catch(''),
  status: z.enum(['all', ...LAG_STATUS_SEVERITY]).catch('all'),
  level: z.enum(['all', ...LEVELS]).catch('all'),
  sort: z.enum(GROUP_COLUMNS).catch('level'),
  dir: z.enum(['asc', 'desc']).catch('desc'),
});
export type GroupTableState = z.infer<typeof groupTableSchema>;
/** The same parameters without the fallbacks: what the page checks, to name a bad link's bad part. */
export const groupTableQuerySchema = z.object({
  q: z.string().max(200).optional(),
  status: z.enum(['all', ...LAG_STATUS_SEVERITY]).optional(),
  level: z.enum(['all', ...LEVELS]).optional(),
  sort: z.enum(GROUP_COLUMNS).optional(),
  dir: z.enum(['asc', 'desc']).optional(),
});
export const DEFAULT_TABLE_STATE: GroupTableState = groupTableSchema.parse({});

/** A not-yet-measured time to clear sorts below "clear", a backlog that never clears above all. */
function clearKey(t: TimeToClear): number {
  if (t.kind === 'clear') return 0;
  if (t.kind === 'clears_in') return t.seconds;
  if (t.kind === 'not_catching_up') return Number.POSITIVE_INFINITY;
  return -1;
}

const statusRank = (s: LagStatus) => LAG_STATUS_SEVERITY.indexOf(s);

const KEYS: Record<GroupColumn, (g: GroupRow) => number | string> = {
  cluster: (g) => g.cluster,
  group: (g) => g.groupId,
  protocol: (g) => g.groupProtocol ?? '',
  state: (g) => g.state ?? '',
  members: (g) => g.memberCount,
  offsetLag: (g) => g.offsetLag,
  maxLag: (g) => g.maxLag,
  timeLag: (g) => g.timeLag?.seconds ?? -1,
  timeToClear: (g) => clearKey(g.timeToClear),
  status: (g) => statusRank(g.status),
  level: (g) => LEVELS.indexOf(g.judgement.level),
};

function compareKeys(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 0 : a < b ? -1 : 1;
  return byName(String(a), String(b));
}

/** Ties fall back to the worst status, then the largest lag, then cluster and name: a stable order. */
export function compareGroups(column: GroupColumn, dir: 'asc' | 'desc') {
  const key = KEYS[column];
  const sign = dir === 'asc' ? 1 : -1;
  return (a: GroupRow, b: GroupRow): number =>
    sign * compareKeys(key(a), key(b)) ||
    statusRank(b.status) - statusRank(a.status) ||
    b.offsetLag - a.offsetLag ||
    byName(a.cluster, b.cluster) ||
    byName(a.groupId, b.groupId);
}

/** Lower-cased cluster, group and topic names, built once per snapshot for the text filter. */
export function searchText(g: GroupRow): string {
  return `${g.cluster}\n${g.groupId}\n${g.topics.join('\n')}`.toLowerCase();
}

export function filterAndSort(
  rows: readonly GroupRow[],
  state: GroupTableState,
  text: (g: GroupRow) => string = searchText,
): GroupRow[] {
  const q = state.q.trim().toLowerCase();
  return rows
    .filter(
      (g) =>
        (state.status === 'all' || g.status === state.status) &&
        (state.level === 'all' || g.judgement.level === state.level) &&
        (q === '' || text(g).includes(q)),
    )
    .sort(compareGroups(state.sort, state.dir));
}

/** Search params that differ from the defaults, for a short shareable URL. */
export function tableSearch(state: GroupTableState): string {
  const entries = Object.entries(state).filter(
    ([key, value]) => value !== DEFAULT_TABLE_STATE[key as keyof GroupTableState],
  );
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries)}`;
}
