'use client';

import Link from 'next/link';
import { useState } from 'react';
import { ChartHistory } from '@/components/charts/chart-history';
import type { ChartThresholds } from '@/lib/fleet/chart-thresholds';
import type { DlqData } from '@/lib/fleet/fleet-data';
import type { BrokerKind } from '@/lib/fleet/fleet-view';
import { DEFAULT_RANGE, type HistoryData, type HistoryRange } from '@/lib/fleet/history-query';
import { fleetQueries } from '@/lib/fleet/query-keys';
import { indexSources, staleSource } from '@/lib/fleet/staleness';
import { EmptySnapshot } from './empty-snapshot';
import { LiveBar } from './live-bar';
import { RangePicker } from './range-picker';
import { StaleNote } from './stale-note';
import { SummaryDlq } from './summary-dlq';
import { useLiveQuery } from './use-live-query';

interface Props {
  kind: BrokerKind;
  source: string;
  name: string;
  initial: DlqData;
  /** The depth and oldest-age charts over the default range, read with the page. */
  initialHistory: { depth: HistoryData; oldest_age: HistoryData } | null;
  thresholds: ChartThresholds;
  renderedAt: number;
}

/** One DLQ, live: its judgement and figures, and the history of its depth and oldest age with thresholds. */
export function LiveDlq(props: Props) {
  const { kind, source, name, initial, initialHistory, thresholds, renderedAt } = props;
  const { data, dataUpdatedAt, error } = useLiveQuery<DlqData>(fleetQueries.dlq(kind, source, name), {
    data: initial,
    at: renderedAt,
  });
  const [range, setRange] = useState<HistoryRange>(DEFAULT_RANGE);
  const snapshot = (data ?? initial).snapshot;
  const dlq = snapshot?.dlq;
  const stale = snapshot && staleSource(indexSources(snapshot.sources), kind, source);
  const chart = (metric: 'depth' | 'oldest_age') => (
    <ChartHistory
      series={dlq?.id ?? ''}
      metric={metric}
      range={range}
      lines={thresholds[metric]}
      initial={initialHistory ? { data: initialHistory[metric], at: renderedAt } : undefined}
    />
  );

  return (
    <>
      <p className="small">
        <Link href="/dlq">Dead-letter queues</Link> / {kind} {source}
      </p>
      <div className="page-head">
        <h1>{name}</h1>
        <LiveBar takenAt={snapshot?.takenAt ?? null} receivedAt={dataUpdatedAt} error={error} />
      </div>
      {!dlq ? (
        <EmptySnapshot />
      ) : (
        <>
          {stale && <StaleNote source={stale} />}
          <SummaryDlq dlq={dlq} />
          <div className="page-head">
            <h2>History</h2>
            <RangePicker range={range} onChange={setRange} />
          </div>
          <div className="charts">
            {chart('depth')}
            {chart('oldest_age')}
          </div>
        </>
      )}
    </>
  );
}
