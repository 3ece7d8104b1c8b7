'use client';

import { useMemo } from 'react';
import type { TraceEvent } from '@/lib/trace/build-chain';
import { chainLanes, laneBins } from '@/lib/trace/chain-layout';
import { formatHop, formatInstant } from '@/lib/trace/format-trace';

/** Columns per lane: thousands of events draw as a bounded number of marks. */
const BINS = 120;
const WIDTH = 1000;

/** One lane per topic or queue, x = time; a mark per column holding events, the DLQ's in red. */
export function TimelineLanes({
  events,
  selected,
  onSelect,
}: {
  events: readonly TraceEvent[];
  selected: number | null;
  onSelect: (index: number) => void;
}) {
  const layout = useMemo(() => chainLanes(events), [events]);
  const bins = useMemo(() => {
    const dlq = new Set<number>();
    events.forEach((e, i) => {
      if (e.inDlq) dlq.add(i);
    });
    return laneBins(layout, BINS, dlq);
  }, [events, layout]);
  const selectedTimes = selected === null ? [] : layout.points.filter((p) => p.event === selected);
  const span = Math.max(1, layout.end - layout.start);
  const x = (bin: number) => (bin / BINS) * WIDTH;
  return (
    <section className="trace-lanes" aria-label="Timeline" data-testid="trace-lanes">
      <h2>Timeline</h2>
      <p className="muted small">
        {formatInstant(layout.start)} to {formatInstant(layout.end)} ({formatHop(layout.end - layout.start)})
      </p>
      {layout.lanes.map((lane, li) => (
        <div key={lane.key} className="trace-lane" data-testid="trace-lane">
          <div className="trace-lane-label">
            <span className="trace-kind">{lane.kind === 'kafka' ? 'Kafka' : 'SQS'}</span> {lane.cluster} /{' '}
            <strong data-testid="trace-lane-name">{lane.name}</strong>
            {lane.dlq ? <span className="badge tone-crit trace-lane-dlq">DLQ</span> : null}
            {lane.producers.length > 0 ? (
              <span className="muted small"> from {lane.producers.slice(0, 3).join(', ')}</span>
            ) : null}
          </div>
          {/* biome-ignore lint/a11y/useSemanticElements: an svg cannot be a fieldset; a group (unlike an img) may hold the clickable marks */}
          <svg
            className="trace-lane-strip"
            viewBox={`0 0 ${WIDTH} 20`}
            preserveAspectRatio="none"
            role="group"
            aria-label={`events on ${lane.name}`}
          >
            <line x1="0" y1="10" x2={WIDTH} y2="10" className="trace-lane-axis" />
            {bins
              .filter((b) => b.lane === li)
              .map((b) => (
                // biome-ignore lint/a11y/useSemanticElements: an SVG mark cannot be a <button>; the tree holds the same events as buttons.
                <rect
                  key={b.bin}
                  x={x(b.bin)}
                  y={3}
                  width={Math.max(4, WIDTH / BINS - 1)}
                  height={14}
                  className={b.dlq ? 'trace-mark dlq' : 'trace-mark'}
                  role="button"
                  tabIndex={-1}
                  onClick={() => onSelect(b.event)}
                >
                  <title>{`${b.count} event${b.count === 1 ? '' : 's'}`}</title>
                </rect>
              ))}
            {selectedTimes
              .filter((p) => p.lane === li)
              .map((p) => (
                <line
                  key={`sel${p.time}`}
                  x1={((p.time - layout.start) / span) * WIDTH}
                  x2={((p.time - layout.start) / span) * WIDTH}
                  y1={0}
                  y2={20}
                  className="trace-lane-selected"
                />
              ))}
          </svg>
        </div>
      ))}
    </section>
  );
}
