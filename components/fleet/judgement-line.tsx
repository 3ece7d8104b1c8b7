'use client';

import type { Judgement } from '@/lib/fleet/fleet-view';
import { formatDuration, formatUtc } from '@/lib/fleet/format';
import { BadgeJudgement } from './badges';
import { useNow } from './live-context';

/** "critical: DLQ depth 3 > 0 (default for DLQs) · since 03:12 (2 h 5 min)". */
export function JudgementLine({ judgement }: { judgement: Judgement }) {
  const now = useNow();
  return (
    <p className="breach-reason" data-testid="judgement">
      <BadgeJudgement judgement={judgement} /> {judgement.reason}
      {judgement.level !== 'ok' && judgement.since && (
        <span className="muted small">
          {' '}
          · since {formatUtc(judgement.since, now)} (
          {formatDuration((now - Date.parse(judgement.since)) / 1000)})
        </span>
      )}
    </p>
  );
}
