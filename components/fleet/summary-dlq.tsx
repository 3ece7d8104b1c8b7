'use client';

import type { DlqView } from '@/lib/fleet/fleet-view';
import { formatCount, formatDuration, NONE } from '@/lib/fleet/format';
import { JudgementLine } from './judgement-line';

/** The DLQ at a glance: its judgement, how deep and how old, counted how, and who dead-letters here. */
export function SummaryDlq({ dlq }: { dlq: DlqView }) {
  return (
    <>
      <JudgementLine judgement={dlq.judgement} />
      <dl className="summary" data-testid="dlq-summary">
        <div>
          <dt>Depth</dt>
          <dd>
            {formatCount(dlq.depth)}
            <span className="sub">{dlq.depthMethod}</span>
          </dd>
        </div>
        {dlq.sqsDepth && (
          <div>
            <dt>Visible · in flight · delayed</dt>
            <dd>
              {formatCount(dlq.sqsDepth.visible)} · {formatCount(dlq.sqsDepth.inFlight)} ·{' '}
              {formatCount(dlq.sqsDepth.delayed)}
            </dd>
          </div>
        )}
        <div>
          <dt>Oldest message</dt>
          <dd>
            {dlq.oldestAgeSeconds === null ? NONE : formatDuration(dlq.oldestAgeSeconds)}
            {dlq.oldestAgeNote && <span className="sub">{dlq.oldestAgeNote}</span>}
          </dd>
        </div>
        <div>
          <dt>{dlq.kind === 'kafka' ? 'Original topics' : 'Source queues'}</dt>
          <dd data-testid="dlq-sources">
            {dlq.sources.length === 0 ? 'none found' : dlq.sources.join(', ')}
          </dd>
        </div>
      </dl>
      {dlq.error && (
        <p className="banner tone-crit" role="alert">
          {dlq.error}
        </p>
      )}
    </>
  );
}
