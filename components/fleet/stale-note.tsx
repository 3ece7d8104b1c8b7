'use client';

import type { SourceView } from '@/lib/fleet/fleet-view';
import { formatAgo } from '@/lib/fleet/format';
import { useNow } from './live-context';

/** On a row whose source is down: the figures are the last good ones, this old, and why. */
export function StaleNote({ source, compact = false }: { source: SourceView; compact?: boolean }) {
  const now = useNow();
  const age = source.lastGoodAt ? `data from ${formatAgo(source.lastGoodAt, now)}` : 'no data read yet';
  const text = `${source.kind} ${source.name} is failing: ${source.error ?? 'unknown error'}`;
  if (compact) {
    return (
      <span className="stale-mark" title={`${text}. Showing ${age}.`} data-testid="stale">
        stale · {age}
      </span>
    );
  }
  return (
    <p className="stale small" data-testid="stale">
      <span className="stale-mark">stale</span> {age}. {text}
    </p>
  );
}

export function Ago({ at }: { at: string | number | null }) {
  return <>{formatAgo(at, useNow())}</>;
}
