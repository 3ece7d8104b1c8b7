'use client';

import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import type { ReplayProgress } from '@/server/replay/replay-progress';

const ROW = 28;
const STATUS_TONE: Record<string, string> = {
  pending: 'tone-muted',
  sending: 'tone-warn',
  sent: 'tone-ok',
  unknown: 'tone-warn',
  failed: 'tone-crit',
};

/** Each frozen message and where it stands; virtualized, since a job may hold thousands. */
export function ListReplayMessages({ messages }: { messages: ReplayProgress['messages'] }) {
  const parent = useRef<HTMLTableElement>(null);
  const virtualizer = useVirtualizer({
    count: messages.length,
    getScrollElement: () => parent.current,
    estimateSize: () => ROW,
    overscan: 10,
  });
  return (
    <table
      ref={parent}
      className="replay-items"
      aria-label="Messages of this replay"
      aria-rowcount={messages.length + 1}
      data-rows={messages.length}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling box takes focus so the keyboard can scroll it
      tabIndex={0}
      style={{ height: Math.min(360, (messages.length + 1) * ROW + 2) }}
    >
      <thead>
        <tr className="replay-item replay-head" aria-rowindex={1} style={{ height: ROW }}>
          <th scope="col">Message</th>
          <th scope="col">Status</th>
          <th scope="col">Sent at / error</th>
        </tr>
      </thead>
      <tbody style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => {
          const m = messages[item.index];
          if (!m) return null;
          return (
            <tr
              key={m.id}
              aria-rowindex={item.index + 2}
              className="replay-item"
              data-message-id={m.id}
              data-status={m.status}
              style={{ height: ROW, transform: `translateY(${item.start}px)` }}
            >
              <td title={m.id}>{m.id}</td>
              <td className={STATUS_TONE[m.status]}>{m.status}</td>
              <td title={m.error ?? undefined}>{m.error ?? m.sentAt ?? '—'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
