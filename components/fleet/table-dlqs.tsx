'use client';

import Link from 'next/link';
import { ChartSparkline } from '@/components/charts/chart-sparkline';
import { RegionScroll } from '@/components/ui/region-scroll';
import type { DlqRow } from '@/lib/fleet/fleet-data';
import type { SourceView } from '@/lib/fleet/fleet-view';
import { formatCount, formatDuration, NONE } from '@/lib/fleet/format';
import { LEVEL_LABELS } from '@/lib/fleet/labels';
import { dlqHref } from '@/lib/fleet/links';
import { staleSource } from '@/lib/fleet/staleness';
import { BadgeJudgement } from './badges';
import { StaleNote } from './stale-note';

function DlqTableRow({ dlq, stale }: { dlq: DlqRow; stale: SourceView | null }) {
  const { tone } = LEVEL_LABELS[dlq.judgement.level];
  return (
    <tr data-testid="dlq-row" data-id={dlq.id} data-level={dlq.judgement.level}>
      <td>
        <Link href={dlqHref(dlq.kind, dlq.source, dlq.name)}>{dlq.name}</Link>
        <span className="sub">
          {dlq.kind} {dlq.source}
        </span>
        {stale && <StaleNote source={stale} compact />}
      </td>
      <td className="num">
        {formatCount(dlq.depth)}
        <span className="sub">{dlq.depthMethod}</span>
        {dlq.sqsDepth && (
          <span className="sub">
            {formatCount(dlq.sqsDepth.visible)} visible · {formatCount(dlq.sqsDepth.inFlight)} in flight ·{' '}
            {formatCount(dlq.sqsDepth.delayed)} delayed
          </span>
        )}
      </td>
      <td className="num">
        {dlq.oldestAgeSeconds === null ? NONE : formatDuration(dlq.oldestAgeSeconds)}
        {dlq.oldestAgeNote && <span className="sub">{dlq.oldestAgeNote}</span>}
      </td>
      <td>
        <ChartSparkline spark={dlq.spark} tone={tone} />
      </td>
      <td className="wrap">
        {dlq.sources.length === 0 ? <span className="muted">none found</span> : dlq.sources.join(', ')}
      </td>
      <td className="wrap">
        <BadgeJudgement judgement={dlq.judgement} /> <span className="small">{dlq.judgement.reason}</span>
        {dlq.error && <span className="sub error-text">{dlq.error}</span>}
      </td>
    </tr>
  );
}

/** Every DLQ, worst first, each linking to its messages. */
export function TableDlqs({ dlqs, sources }: { dlqs: DlqRow[]; sources: ReadonlyMap<string, SourceView> }) {
  return (
    <RegionScroll className="table-scroll" label="Dead-letter queues">
      <table data-testid="dlqs">
        <caption className="visually-hidden">Dead-letter queues</caption>
        <thead>
          <tr>
            <th scope="col">DLQ</th>
            <th scope="col" className="num">
              Depth
            </th>
            <th scope="col" className="num">
              Oldest
            </th>
            <th scope="col">Last hour</th>
            <th scope="col">Dead-letters from</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {dlqs.map((d) => (
            <DlqTableRow key={d.id} dlq={d} stale={staleSource(sources, d.kind, d.source)} />
          ))}
        </tbody>
      </table>
    </RegionScroll>
  );
}
