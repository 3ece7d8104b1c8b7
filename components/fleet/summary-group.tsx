'use client';

import type { GroupView } from '@/lib/fleet/fleet-view';
import {
  formatCount,
  formatRate,
  formatTimeLag,
  formatTimeToClear,
  NONE,
  TIME_LAG_METHODS,
} from '@/lib/fleet/format';
import { BadgeStatus } from './badges';
import { JudgementLine } from './judgement-line';

/** The group at a glance: where it stands against its thresholds, and the figures behind that. */
export function SummaryGroup({ group }: { group: GroupView }) {
  const { judgement, flags } = group;
  const flagged = [
    flags.belowStart > 0 && `${flags.belowStart} below the log start (data lost)`,
    flags.beyondEnd > 0 && `${flags.beyondEnd} beyond the end`,
    flags.openTransactions > 0 && `${flags.openTransactions} with an open transaction`,
    flags.unreadable > 0 && `${flags.unreadable} unreadable`,
  ].filter(Boolean);
  return (
    <>
      <JudgementLine judgement={judgement} />
      <dl className="summary" data-testid="group-summary">
        <div>
          <dt>Status</dt>
          <dd>
            <BadgeStatus status={group.status} /> {group.statusReason}
          </dd>
        </div>
        <div>
          <dt>Offset lag</dt>
          <dd>{formatCount(group.offsetLag)}</dd>
        </div>
        <div>
          <dt>Max partition lag</dt>
          <dd>
            {formatCount(group.maxLag)}
            {group.worstPartition && (
              <span className="muted small">
                {' '}
                ({group.worstPartition.topic} #{group.worstPartition.partition})
              </span>
            )}
          </dd>
        </div>
        <div>
          <dt>Time lag</dt>
          <dd>
            {formatTimeLag(group.timeLag)}
            {group.timeLag && (
              <span className="muted small"> ({TIME_LAG_METHODS[group.timeLag.method]})</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Time to clear</dt>
          <dd className={group.timeToClear.kind === 'not_catching_up' ? 'error-text' : undefined}>
            {formatTimeToClear(group.timeToClear)}
          </dd>
        </div>
        <div>
          <dt>Consumed / produced</dt>
          <dd>
            {formatRate(group.consumedPerSecond)} / {formatRate(group.producedPerSecond)}
          </dd>
        </div>
        <div>
          <dt>State · protocol</dt>
          <dd>
            {group.gone ? 'gone' : (group.state ?? NONE)} · {group.groupProtocol ?? NONE}
          </dd>
        </div>
        <div>
          <dt>Members</dt>
          <dd>{formatCount(group.members.length)}</dd>
        </div>
        <div>
          <dt>Topics</dt>
          <dd>{group.topics.join(', ') || NONE}</dd>
        </div>
        {flagged.length > 0 && (
          <div>
            <dt>Partitions flagged</dt>
            <dd className="tone-warn">{flagged.join('; ')}</dd>
          </div>
        )}
      </dl>
      {group.error && (
        <p className="banner tone-crit" role="alert">
          {group.error}
        </p>
      )}
    </>
  );
}
