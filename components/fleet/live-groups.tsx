'use client';

import { useDeferredValue, useMemo, useState } from 'react';
import type { GroupsData } from '@/lib/fleet/fleet-data';
import { formatCount } from '@/lib/fleet/format';
import {
  filterAndSort,
  type GroupColumn,
  type GroupTableState,
  searchText,
  tableSearch,
} from '@/lib/fleet/group-table';
import { LEVEL_LABELS, STATUS_LABELS } from '@/lib/fleet/labels';
import { fleetQueries } from '@/lib/fleet/query-keys';
import { indexSources } from '@/lib/fleet/staleness';
import { LAG_STATUS_SEVERITY } from '@/lib/lag/lag-status';
import { LEVELS } from '@/lib/thresholds/metrics';
import { EmptySnapshot } from './empty-snapshot';
import { LiveBar } from './live-bar';
import { StripSources } from './strip-sources';
import { TableGroups } from './table-groups';
import { useLiveQuery } from './use-live-query';

interface Props {
  initial: GroupsData;
  initialState: GroupTableState;
  renderedAt: number;
}

/** Columns whose natural first question is "which is highest": a first click sorts them descending. */
const TEXT_COLUMNS: ReadonlySet<GroupColumn> = new Set(['cluster', 'group', 'protocol', 'state']);

/** The consumer-lag page, live: filters and sort in the URL, the table virtualized. */
export function LiveGroups({ initial, initialState, renderedAt }: Props) {
  const { data, dataUpdatedAt, error } = useLiveQuery<GroupsData>(fleetQueries.groups(), {
    data: initial,
    at: renderedAt,
  });
  const snapshot = (data ?? initial).snapshot;
  const [state, setState] = useState(initialState);
  // Typing stays responsive while 2,000 rows are filtered behind it.
  const deferred = useDeferredValue(state);
  const groups = snapshot?.groups;
  const texts = useMemo(() => new Map((groups ?? []).map((g) => [g.id, searchText(g)])), [groups]);
  const rows = useMemo(
    () => filterAndSort(groups ?? [], deferred, (g) => texts.get(g.id) ?? ''),
    [groups, deferred, texts],
  );
  const sources = useMemo(() => indexSources(snapshot?.sources ?? []), [snapshot?.sources]);

  const update = (next: Partial<GroupTableState>) => {
    const merged = { ...state, ...next };
    setState(merged);
    window.history.replaceState(null, '', `${window.location.pathname}${tableSearch(merged)}`);
  };
  const sortBy = (column: GroupColumn) =>
    update(
      state.sort === column
        ? { dir: state.dir === 'asc' ? 'desc' : 'asc' }
        : { sort: column, dir: TEXT_COLUMNS.has(column) ? 'asc' : 'desc' },
    );

  return (
    <>
      <div className="page-head">
        <h1>Consumer lag</h1>
        <LiveBar takenAt={snapshot?.takenAt ?? null} receivedAt={dataUpdatedAt} error={error} />
      </div>
      {!snapshot ? (
        <EmptySnapshot />
      ) : (
        <>
          <StripSources sources={snapshot.sources.filter((s) => s.kind === 'kafka')} />
          <search className="filters" aria-label="Filter groups">
            <label>
              Search
              <input
                type="search"
                value={state.q}
                onChange={(e) => update({ q: e.target.value })}
                placeholder="group, cluster or topic"
              />
            </label>
            <label>
              Status
              <select
                value={state.status}
                onChange={(e) => update({ status: e.target.value as GroupTableState['status'] })}
              >
                <option value="all">all</option>
                {[...LAG_STATUS_SEVERITY].reverse().map((s) => (
                  <option key={s} value={s}>
                    {STATUS_LABELS[s].label}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Level
              <select
                value={state.level}
                onChange={(e) => update({ level: e.target.value as GroupTableState['level'] })}
              >
                <option value="all">all</option>
                {[...LEVELS].reverse().map((l) => (
                  <option key={l} value={l}>
                    {LEVEL_LABELS[l].label}
                  </option>
                ))}
              </select>
            </label>
            <span className="muted small" role="status" data-testid="group-count">
              {rows.length === snapshot.groups.length
                ? `${formatCount(rows.length)} groups`
                : `${formatCount(rows.length)} of ${formatCount(snapshot.groups.length)} groups`}
            </span>
          </search>
          <TableGroups rows={rows} sources={sources} state={deferred} onSort={sortBy} />
        </>
      )}
    </>
  );
}
