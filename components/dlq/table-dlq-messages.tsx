'use client';

import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import type { DlqMessageRow } from '@/lib/dlq/message-row';

const ROW_HEIGHT = 32;

const time = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

interface Props {
  rows: readonly DlqMessageRow[];
  selected: string | null;
  onSelect: (id: string) => void;
  sqs: boolean;
  /** Messages ticked for replay; absent for a role that cannot replay (no checkboxes then). */
  picked?: ReadonlySet<string>;
  onPick?: (id: string) => void;
}

/**
 * The loaded messages, virtualized: only the rows in view (and a few either side) are in the DOM. A grid,
 * not a listbox: a row holds its own checkbox, which an option may not.
 */
export function TableDlqMessages({ rows, selected, onSelect, sqs, picked, onPick }: Props) {
  const parent = useRef<HTMLTableElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => parent.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  return (
    <table
      className={onPick ? 'dlq-list dlq-pickable' : 'dlq-list'}
      ref={parent}
      // biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: its rows take focus and open the detail
      role="grid"
      aria-label="Dead letters"
      aria-rowcount={rows.length + 1}
      data-rows={rows.length}
      // The scrolling box itself takes focus, so the keyboard can scroll it while it holds no rows yet.
      tabIndex={0}
    >
      <thead>
        <tr className="dlq-row dlq-head" style={{ height: ROW_HEIGHT }} aria-rowindex={1}>
          {onPick ? (
            <th scope="col">
              <span className="visually-hidden">Replay</span>
            </th>
          ) : null}
          <th scope="col">Time (UTC)</th>
          <th scope="col">{sqs ? 'Message id' : 'Key'}</th>
          <th scope="col">Event type</th>
          <th scope="col">Exception</th>
          <th scope="col">Correlation id</th>
          <th scope="col" className="num">
            Size
          </th>
          <th scope="col" className="num">
            {sqs ? 'Receives' : <span className="visually-hidden">Receives</span>}
          </th>
        </tr>
      </thead>
      <tbody style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => {
          const row = rows[item.index];
          if (!row) return null;
          const f = row.failure;
          return (
            <tr
              key={row.id}
              aria-rowindex={item.index + 2}
              tabIndex={0}
              aria-selected={row.id === selected}
              data-message-id={row.id}
              className="dlq-row dlq-message"
              style={{ height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
              onClick={() => onSelect(row.id)}
              onKeyDown={(e) => {
                // Space on the row's checkbox ticks it; it does not open the detail as well.
                if (e.target !== e.currentTarget) return;
                if (e.key === 'Enter' || e.key === ' ') onSelect(row.id);
              }}
            >
              {onPick ? (
                <td>
                  <input
                    type="checkbox"
                    checked={picked?.has(row.id) ?? false}
                    aria-label={`Pick ${row.key ?? row.location.messageId ?? row.id} for replay`}
                    onClick={(e) => e.stopPropagation()}
                    onChange={() => onPick(row.id)}
                  />
                </td>
              ) : null}
              <td className="nowrap">{time(row.timestamp)}</td>
              <td className="ellipsis">{sqs ? row.location.messageId : (row.key ?? '(no key)')}</td>
              <td className="ellipsis">{row.eventType ?? '—'}</td>
              <td className="ellipsis" title={f.message ?? undefined}>
                {f.groupClass ?? f.exceptionClass ?? 'no exception recorded'}
                {f.message ? `: ${f.message.slice(0, 300)}` : ''}
              </td>
              <td className="ellipsis">{row.correlationId ?? '—'}</td>
              <td className="num">{sizeText(row.size)}</td>
              <td className="num">{row.receiveCount ?? ''}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
