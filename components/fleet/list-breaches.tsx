'use client';

import Link from 'next/link';
import { ChartSparkline } from '@/components/charts/chart-sparkline';
import type { Breach } from '@/lib/fleet/fleet-data';
import type { SourceView } from '@/lib/fleet/fleet-view';
import {
  formatCount,
  formatDuration,
  formatTimeLag,
  formatTimeToClear,
  formatUtc,
  TIME_LAG_METHODS,
} from '@/lib/fleet/format';
import { LEVEL_LABELS } from '@/lib/fleet/labels';
import { dlqHref, groupHref } from '@/lib/fleet/links';
import { staleSource } from '@/lib/fleet/staleness';
import { BadgeJudgement, BadgeStatus } from './badges';
import { useNow } from './live-context';
import { StaleNote } from './stale-note';

function Since({ since }: { since: string | null }) {
  const now = useNow();
  if (!since) return <>since before the history began</>;
  return (
    <>
      since {formatUtc(since, now)} ({formatDuration((now - Date.parse(since)) / 1000)})
    </>
  );
}

function GroupFigures({ breach }: { breach: Extract<Breach, { kind: 'group' }> }) {
  const g = breach.group;
  return (
    <span className="small muted">
      offset lag {formatCount(g.offsetLag)} · time lag {formatTimeLag(g.timeLag)}
      {g.timeLag && g.timeLag.method !== 'caught-up' && ` (${TIME_LAG_METHODS[g.timeLag.method]})`} ·{' '}
      {formatTimeToClear(g.timeToClear)} · <BadgeStatus status={g.status} reason={g.statusReason} />
    </span>
  );
}

function DlqFigures({ breach }: { breach: Extract<Breach, { kind: 'dlq' }> }) {
  const d = breach.dlq;
  return (
    <span className="small muted">
      depth {formatCount(d.depth)} ({d.depthMethod}) · oldest{' '}
      {d.oldestAgeSeconds === null ? (d.oldestAgeNote ?? 'unknown') : formatDuration(d.oldestAgeSeconds)}
    </span>
  );
}

function BreachItem({ breach, sources }: { breach: Breach; sources: ReadonlyMap<string, SourceView> }) {
  const { tone } = LEVEL_LABELS[breach.judgement.level];
  const isGroup = breach.kind === 'group';
  const href = isGroup
    ? groupHref(breach.group.cluster, breach.group.groupId)
    : dlqHref(breach.dlq.kind, breach.dlq.source, breach.dlq.name);
  const name = isGroup ? breach.group.groupId : breach.dlq.name;
  const where = isGroup
    ? `group · kafka ${breach.group.cluster}`
    : `DLQ · ${breach.dlq.kind} ${breach.dlq.source}`;
  const stale = isGroup
    ? staleSource(sources, 'kafka', breach.group.cluster)
    : staleSource(sources, breach.dlq.kind, breach.dlq.source);
  return (
    <li
      className={`breach tone-${tone}`}
      data-testid="breach"
      data-level={breach.judgement.level}
      data-id={breach.id}
    >
      <div className="breach-title">
        <BadgeJudgement judgement={breach.judgement} />
        <Link href={href}>{name}</Link>
        <span className="small muted">{where}</span>
      </div>
      <div className="breach-spark">
        <ChartSparkline spark={breach.spark} tone={tone} />
      </div>
      <div className="breach-reason">
        {breach.judgement.reason}{' '}
        <span className="small muted">
          · <Since since={breach.judgement.since} />
        </span>
      </div>
      <div>{breach.kind === 'group' ? <GroupFigures breach={breach} /> : <DlqFigures breach={breach} />}</div>
      {stale && <StaleNote source={stale} />}
    </li>
  );
}

/** Every breach, worst first: each one click from its page. */
export function ListBreaches({
  breaches,
  sources,
}: {
  breaches: Breach[];
  sources: ReadonlyMap<string, SourceView>;
}) {
  return (
    <ol className="breaches" aria-label="Breaches" data-testid="breaches">
      {breaches.map((b) => (
        <BreachItem key={b.id} breach={b} sources={sources} />
      ))}
    </ol>
  );
}
