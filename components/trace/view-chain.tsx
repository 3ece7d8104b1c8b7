'use client';

import { useMemo, useState } from 'react';
import type { TraceExpectation } from '@/lib/config/trace-expect-schema';
import { chainTree, treeParents } from '@/lib/trace/chain-layout';
import { checkExpectations } from '@/lib/trace/expectations';
import type { TraceResult } from '@/server/trace/search-trace';
import { ListFailures } from './list-failures';
import { PanelEvent } from './panel-event';
import { TimelineLanes } from './timeline-lanes';
import { TreeChain } from './tree-chain';
import '../fleet/fleet.css';
import './trace.css';

const MATCHED: Record<string, string> = {
  correlation: 'correlation id',
  event: 'event id',
  causation: 'causation id',
  business: 'business key',
};

/** A chain found in the index: failure points, the lanes on a time axis, the causal tree, one event's details. */
export function ViewChain({
  resultJson,
  expectations,
  now,
  fromScan = false,
}: {
  /** The TraceResult as JSON: one string crosses to the browser far faster than thousands of objects. */
  resultJson: string;
  expectations: TraceExpectation[];
  now: number;
  /** The chain was read by a live scan, not from the index. */
  fromScan?: boolean;
}) {
  const result = useMemo(() => JSON.parse(resultJson) as TraceResult, [resultJson]);
  const events = result.chain;
  const parents = useMemo(() => treeParents(events), [events]);
  const marks = useMemo(
    () => checkExpectations(events, parents, expectations, now),
    [events, parents, expectations, now],
  );
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const rows = useMemo(() => chainTree(events, { expanded }), [events, expanded]);
  const [selected, setSelected] = useState<number | null>(null);
  const dlqCount = events.filter((e) => e.inDlq).length;
  const toggle = (key: string) =>
    setExpanded((old) => {
      const next = new Set(old);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  return (
    <div className="trace-view">
      <p className="trace-summary" data-testid="trace-summary">
        {fromScan ? 'Live scan found by' : 'Found by'} {MATCHED[result.matched ?? ''] ?? 'id'}:{' '}
        <strong>{events.length}</strong> event
        {events.length === 1 ? '' : 's'} over {result.locations.length} topic
        {result.locations.length === 1 ? '' : 's'} and queue{result.locations.length === 1 ? '' : 's'}
        {dlqCount > 0 ? `, ${dlqCount} dead-lettered` : ''}
        {result.missing.length > 0
          ? `, ${result.missing.length} missing parent${result.missing.length === 1 ? '' : 's'}`
          : ''}
        .
      </p>
      {result.truncated ? (
        <p className="banner tone-warn" data-testid="trace-truncated">
          More events matched than one chain shows ({events.length}); search by a narrower id (an event id) to
          see the rest of its flow.
        </p>
      ) : null}
      {result.cycles ? (
        <p className="banner tone-warn">
          Some causation links loop back on themselves (bad data); each loop is cut at its earliest event.
        </p>
      ) : null}
      <ListFailures events={events} marks={marks} onSelect={setSelected} />
      <TimelineLanes events={events} selected={selected} onSelect={setSelected} />
      <div className={selected === null ? 'trace-main' : 'trace-main with-detail'}>
        <TreeChain
          rows={rows}
          events={events}
          marks={marks}
          selected={selected}
          onSelect={setSelected}
          onToggle={toggle}
        />
        {selected !== null && events[selected] ? (
          <PanelEvent
            key={selected}
            event={events[selected]}
            marks={marks.get(selected) ?? []}
            onClose={() => setSelected(null)}
            fromScan={fromScan}
          />
        ) : null}
      </div>
    </div>
  );
}
