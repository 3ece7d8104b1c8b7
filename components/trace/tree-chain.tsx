'use client';

import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import type { TraceEvent } from '@/lib/trace/build-chain';
import { type ChainRow, eventTime } from '@/lib/trace/chain-layout';
import type { ExpectationMark } from '@/lib/trace/expectations';
import { formatHop, formatInstant } from '@/lib/trace/format-trace';
import { FailureBadges } from './badges-trace';

const ROW_HEIGHT = 40;
/** Deeper rows keep this indent and show their depth: a long chain stays readable at 390 px. */
const MAX_INDENT = 10;

interface Props {
  rows: readonly ChainRow[];
  events: readonly TraceEvent[];
  marks: ReadonlyMap<number, ExpectationMark[]>;
  selected: number | null;
  onSelect: (index: number) => void;
  onToggle: (key: string) => void;
}

/** The causal tree, parent then subtree, each hop with its latency; only the rows in view are in the DOM. */
export function TreeChain({ rows, events, marks, selected, onSelect, onToggle }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    getItemKey: (index) => rows[index]?.key ?? index,
    initialRect: { width: 800, height: 600 },
  });
  const items = virtualizer.getVirtualItems();
  return (
    <section className="trace-tree" aria-label="Causal tree">
      <h2>Causal tree</h2>
      <div
        ref={scrollRef}
        className="trace-tree-scroll"
        data-testid="trace-tree"
        // As tall as its rows, up to the CSS max: a short chain leaves no empty box.
        style={{ height: virtualizer.getTotalSize() + 2 }}
      >
        <ul className="trace-tree-list" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            const indent = Math.min(row.depth, MAX_INDENT) * 14;
            const style = {
              transform: `translateY(${item.start}px)`,
              height: ROW_HEIGHT,
              paddingLeft: indent + 6,
            };
            if (row.kind === 'group') {
              return (
                <li key={row.key} className="trace-row group" style={style} data-testid="trace-row">
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => onToggle(row.key)}
                    data-testid="trace-group"
                  >
                    × {row.indices.length} {row.eventType}
                  </button>
                  <span className="trace-latency muted">
                    {row.minLatencyMs === null
                      ? ''
                      : `${formatHop(row.minLatencyMs)} … ${formatHop(row.maxLatencyMs)}`}
                  </span>
                </li>
              );
            }
            const e = events[row.index];
            if (!e) return null;
            return (
              <li
                key={row.key}
                className={row.index === selected ? 'trace-row selected' : 'trace-row'}
                style={style}
                data-testid="trace-row"
                data-event-id={e.eventId ?? ''}
              >
                {row.depth > MAX_INDENT ? <span className="muted small">{row.depth}·</span> : null}
                <button
                  type="button"
                  className="link-button trace-row-name"
                  onClick={() => onSelect(row.index)}
                  aria-pressed={row.index === selected}
                >
                  {e.eventType ?? '(no type)'}
                </button>
                <span className="trace-latency" data-testid="trace-latency">
                  {formatHop(row.latencyMs)}
                </span>
                <span className="muted small trace-row-time">{formatInstant(eventTime(e)).slice(11)}</span>
                <FailureBadges event={e} marks={marks.get(row.index) ?? []} />
              </li>
            );
          })}
        </ul>
      </div>
    </section>
  );
}
