'use client';

import { useMemo, useState, useTransition } from 'react';
import { ToolbarReplay } from '@/components/replay/toolbar-replay';
import { useReplay } from '@/components/replay/use-replay';
import type { Role } from '@/lib/auth/roles';
import type { SourceFirstSeen } from '@/lib/dead-letters/failure-groups';
import { isFiltered, NO_FILTER, type RowFilter, rowMatcher } from '@/lib/dlq/filter-rows';
import type { DlqMessageRow } from '@/lib/dlq/message-row';
import { groupCauses, rowGroups } from '@/lib/dlq/row-groups';
import type { BrokerKind } from '@/lib/fleet/fleet-view';
import { browseDlqPage } from '@/server/actions/dlq-actions';
import type { BrowseCursor } from '@/server/brokers/dead-letter-source';
import type { BrowseResult } from '@/server/dlq/browse-dlq';
import { FiltersDlq } from './filters-dlq';
import { ListFailureGroups } from './list-failure-groups';
import { PanelDlqMessage } from './panel-dlq-message';
import { TableDlqMessages } from './table-dlq-messages';
import './dlq.css';

interface Props {
  kind: BrokerKind;
  source: string;
  name: string;
  /** The first page, read and masked on the server; an error's plain words otherwise. */
  first: BrowseResult | { kind: 'error'; message: string };
  /** First-seen times on the DLQ's source topics or queues, from the correlation index, by name. */
  firstSeen: Record<string, SourceFirstSeen>;
  /** The role replays are asked as; null for a role that may not replay (no controls then). */
  replayAs: Role | null;
}

const PAGE = 100;
/** "Load more until N matches" stops here whatever it found, so a filter matching nothing ends. */
export const LOAD_CAP = 20_000;

export function DlqMessages({ kind, source, name, first, firstSeen, replayAs }: Props) {
  const [rows, setRows] = useState<DlqMessageRow[]>(first.kind === 'page' ? first.messages : []);
  const [next, setNext] = useState<BrowseCursor | null>(first.kind === 'page' ? first.next : null);
  const [remaining, setRemaining] = useState(first.kind === 'page' ? first.remaining : 0);
  const [risk, setRisk] = useState(first.kind === 'redrive-risk' ? first.risk : null);
  const [acknowledged, setAcknowledged] = useState(false);
  const [error, setError] = useState(first.kind === 'error' ? first.message : null);
  const [filter, setFilter] = useState<RowFilter>(NO_FILTER);
  const [selected, setSelected] = useState<string | null>(null);
  const [loading, startLoading] = useTransition();
  const [progress, setProgress] = useState<string | null>(null);
  const replay = useReplay(kind, source, name, replayAs === 'admin', acknowledged);

  const { groups, groupOf } = useMemo(() => rowGroups(rows), [rows]);
  const causes = useMemo(() => groupCauses(groups, rows, firstSeen), [groups, rows, firstSeen]);
  const shown = useMemo(() => rows.filter(rowMatcher(filter, groupOf)), [rows, filter, groupOf]);
  const selectedRow = selected ? rows.find((r) => r.id === selected) : undefined;

  /** Loads pages until `enough(loadedRows)` or the DLQ runs out; the first page again after an acknowledge. */
  const load = (enough: (all: DlqMessageRow[]) => boolean, ack = acknowledged, restart = false) =>
    startLoading(async () => {
      let all = restart ? [] : rows;
      let cursor = restart ? null : next;
      setError(null);
      do {
        const res = await browseDlqPage({
          kind,
          source,
          name,
          limit: PAGE,
          cursor: cursor ?? undefined,
          acknowledgeRedriveRisk: ack || undefined,
        });
        if (!res.ok) {
          setError(res.error.message);
          break;
        }
        if (res.data.kind === 'redrive-risk') {
          setRisk(res.data.risk);
          break;
        }
        all = [...all, ...res.data.messages];
        cursor = res.data.next;
        setRows(all);
        setNext(cursor);
        setRemaining(res.data.remaining);
        setProgress(`${all.length} loaded`);
      } while (cursor && !enough(all) && all.length < LOAD_CAP);
      setProgress(null);
    });

  const matcher = rowMatcher(filter, groupOf);
  return (
    <section className="dlq-messages" aria-label="Messages">
      <h2>Messages</h2>
      {kind === 'sqs' ? (
        <p className="small" data-testid="sqs-browse-note">
          SQS has no peek: browsing receives each message once, holds what it has read hidden while you page
          on, and releases it all when the browse ends (within seconds of the last page). Each browse raises
          every message's ApproximateReceiveCount by one; the count shown is the one before it. Nothing is
          deleted.
        </p>
      ) : (
        <p className="small">Read by offset, outside any consumer group: browsing changes nothing.</p>
      )}
      {risk && !acknowledged ? (
        <div className="banner tone-warn" role="alert">
          <p>{risk.message}</p>
          <button
            type="button"
            onClick={() => {
              setAcknowledged(true);
              setRisk(null);
              load((all) => all.length >= PAGE, true, true);
            }}
          >
            I understand the risk: browse {name}
          </button>
        </div>
      ) : null}
      {error ? (
        <p className="banner tone-crit" role="alert">
          {error}
        </p>
      ) : null}
      <FiltersDlq
        filter={filter}
        onChange={setFilter}
        shown={shown.length}
        loaded={rows.length}
        canLoad={next !== null && !loading}
        onLoadUntil={(n) => load((all) => all.filter(matcher).length >= n)}
      />
      <p className="small" data-testid="load-state">
        {shown.length} shown of {rows.length} loaded
        {isFiltered(filter) ? ' (filters apply to the loaded messages)' : ''}
        {next ? ` · about ${remaining} more on the broker` : ' · all readable messages loaded'}
        {progress ? ` · loading: ${progress}` : ''}
      </p>
      <p>
        <button type="button" disabled={!next || loading} onClick={() => load(() => true)}>
          Load {PAGE} more
        </button>{' '}
        <button
          type="button"
          disabled={!next || loading}
          onClick={() => load((all) => all.length >= rows.length + 10_000)}
        >
          Load 10,000 more
        </button>
      </p>
      {replayAs ? <ToolbarReplay replay={replay} shown={shown.map((r) => r.id)} filter={filter} /> : null}
      <TableDlqMessages
        rows={shown}
        selected={selected}
        onSelect={setSelected}
        sqs={kind === 'sqs'}
        {...(replayAs ? { picked: replay.picked, onPick: replay.toggle } : {})}
      />
      {selectedRow ? (
        <PanelDlqMessage
          row={selectedRow}
          onClose={() => setSelected(null)}
          {...(replayAs ? { onReplay: () => replay.ask({ kind: 'ids', messageIds: [selectedRow.id] }) } : {})}
        />
      ) : null}
      <ListFailureGroups
        groups={groups}
        causes={causes}
        active={filter.groupKey}
        loaded={rows.length}
        onPick={(key) => setFilter({ ...filter, groupKey: key })}
        {...(replayAs
          ? {
              onReplay: (key: string) => replay.ask({ kind: 'filter', filter: NO_FILTER, failureGroup: key }),
            }
          : {})}
      />
      {replay.dialog}
    </section>
  );
}
