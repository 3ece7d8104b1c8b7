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
}

/** The loaded messages, virtualized: only the rows in view (and a few either side) are in the DOM. */
export function TableDlqMessages({ rows, selected, onSelect, sqs }: Props) {
  const parent = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => parent.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  return (
    <div
      className="dlq-list"
      ref={parent}
      role="listbox"
      aria-label="Dead letters"
      tabIndex={0}
      data-rows={rows.length}
    >
      <div className="dlq-row dlq-head" style={{ height: ROW_HEIGHT }} aria-hidden="true">
        <span>Time (UTC)</span>
        <span>{sqs ? 'Message id' : 'Key'}</span>
        <span>Event type</span>
        <span>Exception</span>
        <span>Correlation id</span>
        <span className="num">Size</span>
        <span className="num">{sqs ? 'Receives' : ''}</span>
      </div>
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => {
          const row = rows[item.index];
          if (!row) return null;
          const f = row.failure;
          return (
            <div
              key={row.id}
              role="option"
              tabIndex={0}
              aria-selected={row.id === selected}
              data-message-id={row.id}
              className="dlq-row dlq-message"
              style={{ height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
              onClick={() => onSelect(row.id)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') onSelect(row.id);
              }}
            >
              <span className="nowrap">{time(row.timestamp)}</span>
              <span className="ellipsis">{sqs ? row.location.messageId : (row.key ?? '(no key)')}</span>
              <span className="ellipsis">{row.eventType ?? '—'}</span>
              <span className="ellipsis" title={f.message ?? undefined}>
                {f.groupClass ?? f.exceptionClass ?? 'no exception recorded'}
                {f.message ? `: ${f.message.slice(0, 300)}` : ''}
              </span>
              <span className="ellipsis">{row.correlationId ?? '—'}</span>
              <span className="num">{sizeText(row.size)}</span>
              <span className="num">{row.receiveCount ?? ''}</span>
            </div>
          );
        })}
      </div>
    </div>
  );
}
