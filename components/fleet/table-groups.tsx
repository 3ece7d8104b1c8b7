'use client';

import { useVirtualizer } from '@tanstack/react-virtual';
import Link from 'next/link';
import { useRef } from 'react';
import { RegionScroll } from '@/components/ui/region-scroll';
import type { GroupRow } from '@/lib/fleet/fleet-data';
import type { SourceView } from '@/lib/fleet/fleet-view';
import { formatCount, formatTimeLag, formatTimeToClear, NONE, TIME_LAG_METHODS } from '@/lib/fleet/format';
import type { GroupColumn, GroupTableState } from '@/lib/fleet/group-table';
import { groupHref } from '@/lib/fleet/links';
import { staleSource } from '@/lib/fleet/staleness';
import { BadgeJudgement, BadgeStatus } from './badges';
import { StaleNote } from './stale-note';

const ROW_HEIGHT = 48;

const HEADERS: { column: GroupColumn; label: string; width: number; num?: boolean }[] = [
  // The group column's width lives in the CSS: narrower on a phone.
  { column: 'group', label: 'Group', width: 0 },
  { column: 'cluster', label: 'Cluster', width: 120 },
  { column: 'protocol', label: 'Protocol', width: 90 },
  { column: 'state', label: 'State', width: 140 },
  { column: 'members', label: 'Members', width: 80, num: true },
  { column: 'offsetLag', label: 'Offset lag', width: 110, num: true },
  { column: 'maxLag', label: 'Max lag', width: 100, num: true },
  { column: 'timeLag', label: 'Time lag', width: 150, num: true },
  { column: 'timeToClear', label: 'Time to clear', width: 130 },
  { column: 'status', label: 'Status', width: 90 },
  { column: 'level', label: 'Level', width: 90 },
];

interface Props {
  rows: GroupRow[];
  sources: ReadonlyMap<string, SourceView>;
  state: GroupTableState;
  onSort(column: GroupColumn): void;
}

function Row({ row, stale, index }: { row: GroupRow; stale: SourceView | null; index: number }) {
  const method =
    row.timeLag && row.timeLag.method !== 'caught-up' ? TIME_LAG_METHODS[row.timeLag.method] : null;
  return (
    <tr
      data-index={index}
      data-testid="group-row"
      data-group={row.groupId}
      className={stale ? 'stale-row' : undefined}
    >
      <td title={row.groupId}>
        <Link href={groupHref(row.cluster, row.groupId)}>{row.groupId}</Link>
        {stale ? (
          <StaleNote source={stale} compact />
        ) : row.error ? (
          <span className="sub error-text">{row.error}</span>
        ) : null}
      </td>
      <td title={row.cluster}>{row.cluster}</td>
      <td>{row.groupProtocol ?? NONE}</td>
      <td>{row.gone ? 'gone' : (row.state ?? NONE)}</td>
      <td className="num">{formatCount(row.memberCount)}</td>
      <td className="num">{formatCount(row.offsetLag)}</td>
      <td className="num">{formatCount(row.maxLag)}</td>
      <td className="num" title={method ?? undefined}>
        {formatTimeLag(row.timeLag)}
        {method && <span className="sub"> {method}</span>}
      </td>
      <td className={row.timeToClear.kind === 'not_catching_up' ? 'error-text' : undefined}>
        {formatTimeToClear(row.timeToClear)}
      </td>
      <td>
        <BadgeStatus status={row.status} reason={row.statusReason} />
      </td>
      <td>
        <BadgeJudgement judgement={row.judgement} />
      </td>
    </tr>
  );
}

/**
 * The consumer groups, virtualized: only the rows in view (and a few either side) are in the DOM, so
 * thousands of groups scroll as fast as twenty. The group column stays put when the table scrolls sideways.
 */
export function TableGroups({ rows, sources, state, onSort }: Props) {
  const scrollRef = useRef<HTMLElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    getItemKey: (index) => (rows[index] ? rows[index].id : index),
    // Before the browser measures the box, render a screenful rather than nothing.
    initialRect: { width: 1200, height: 800 },
  });
  const items = virtualizer.getVirtualItems();
  const top = items[0]?.start ?? 0;
  const bottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);
  return (
    <RegionScroll
      ref={scrollRef}
      className="table-scroll groups-scroll"
      label="Consumer groups"
      data-testid="groups-scroll"
    >
      <table className="groups-table" aria-rowcount={rows.length + 1}>
        <caption className="visually-hidden">Consumer groups</caption>
        <colgroup>
          {HEADERS.map((h) => (
            <col
              key={h.column}
              className={`col-${h.column}`}
              style={h.column === 'group' ? undefined : { width: h.width }}
            />
          ))}
        </colgroup>
        <thead>
          <tr>
            {HEADERS.map((h) => {
              const sorted = state.sort === h.column;
              return (
                <th
                  scope="col"
                  key={h.column}
                  className={h.num ? 'num' : undefined}
                  aria-sort={sorted ? (state.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
                >
                  <button type="button" className="th-sort" onClick={() => onSort(h.column)}>
                    {h.label}
                    {sorted ? (state.dir === 'asc' ? ' ▲' : ' ▼') : ''}
                  </button>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {top > 0 && (
            <tr className="spacer">
              <td colSpan={HEADERS.length} style={{ height: top, padding: 0, border: 0 }} />
            </tr>
          )}
          {items.map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            return (
              <Row
                key={item.key}
                row={row}
                index={item.index}
                stale={staleSource(sources, 'kafka', row.cluster)}
              />
            );
          })}
          {bottom > 0 && (
            <tr className="spacer">
              <td colSpan={HEADERS.length} style={{ height: bottom, padding: 0, border: 0 }} />
            </tr>
          )}
        </tbody>
      </table>
      {rows.length === 0 && <p className="empty">No group matches these filters.</p>}
    </RegionScroll>
  );
}
