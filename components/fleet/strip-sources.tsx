'use client';

import type { SourceView } from '@/lib/fleet/fleet-view';
import { formatAgo, formatElapsedMs } from '@/lib/fleet/format';
import { useNow } from './live-context';

/** Each broker: read fine, or failing with its error in plain words and the age of its last good data. */
export function StripSources({ sources }: { sources: SourceView[] }) {
  const now = useNow();
  if (sources.length === 0) return null;
  return (
    <ul className="sources" aria-label="Sources" data-testid="sources">
      {sources.map((s) => (
        <li
          key={`${s.kind}:${s.name}`}
          className={`source tone-${s.ok ? 'ok' : 'crit'}`}
          data-testid="source"
          data-ok={s.ok}
        >
          <span>
            <strong>
              {s.kind} {s.name}
            </strong>{' '}
            <span className={s.ok ? 'ok-text' : 'error-text'}>{s.ok ? 'ok' : 'error'}</span>
          </span>
          {s.ok ? (
            <span className="small muted">
              read {formatAgo(s.lastGoodAt, now)} in {formatElapsedMs(s.durationMs)}
            </span>
          ) : (
            <>
              <span className="source-error small">{s.error ?? 'the last read failed'}</span>
              <span className="small muted">
                last good data {formatAgo(s.lastGoodAt, now)}; tried {formatAgo(s.lastTriedAt, now)}
              </span>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}
