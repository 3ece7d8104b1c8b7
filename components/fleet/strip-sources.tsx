'use client';

import type { SourceView } from '@/lib/fleet/fleet-view';
import { formatAgo, formatElapsedMs } from '@/lib/fleet/format';
import { useNow } from './live-context';

/**
 * Each broker's state. A failing one gets a card with its error in plain words and the age of its last
 * good data; the ones read fine share a line, so a healthy fleet costs one line of the screen.
 */
export function StripSources({ sources }: { sources: SourceView[] }) {
  const now = useNow();
  const failing = sources.filter((s) => !s.ok);
  const ok = sources.filter((s) => s.ok);
  return (
    <>
      {failing.length > 0 && (
        <ul className="sources" aria-label="Failing sources">
          {failing.map((s) => (
            <li key={`${s.kind}:${s.name}`} className="source tone-crit" data-testid="source" data-ok="false">
              <span>
                <strong>
                  {s.kind} {s.name}
                </strong>{' '}
                <span className="error-text">error</span>
              </span>
              <span className="source-error small">{s.error ?? 'the last read failed'}</span>
              <span className="small muted">
                last good data {formatAgo(s.lastGoodAt, now)}; tried {formatAgo(s.lastTriedAt, now)}
              </span>
            </li>
          ))}
        </ul>
      )}
      {ok.length > 0 && (
        <p className="sources-ok small muted">
          {ok.map((s, i) => (
            <span
              key={`${s.kind}:${s.name}`}
              data-testid="source"
              data-ok="true"
              title={`read in ${formatElapsedMs(s.durationMs)}`}
            >
              {i > 0 && ' · '}
              <span className="ok-text">●</span> {s.kind} {s.name} read {formatAgo(s.lastGoodAt, now)}
            </span>
          ))}
        </p>
      )}
    </>
  );
}
