'use client';

import { useMemo } from 'react';
import type { OverviewData } from '@/lib/fleet/fleet-data';
import { plural } from '@/lib/fleet/format';
import { fleetQueries } from '@/lib/fleet/query-keys';
import { indexSources } from '@/lib/fleet/staleness';
import { EmptySnapshot } from './empty-snapshot';
import { ListBreaches } from './list-breaches';
import { ListHealthy } from './list-healthy';
import { LiveBar } from './live-bar';
import { StripSources } from './strip-sources';
import { useLiveQuery } from './use-live-query';

/** The overview, live: breaches worst first, the healthy rest folded, each source's state. */
interface Props {
  initial: OverviewData;
  renderedAt: number;
}

export function LiveOverview({ initial, renderedAt }: Props) {
  const { data, dataUpdatedAt, error } = useLiveQuery<OverviewData>(fleetQueries.overview(), {
    data: initial,
    at: renderedAt,
  });
  const snapshot = (data ?? initial).snapshot;
  const sources = useMemo(() => indexSources(snapshot?.sources ?? []), [snapshot?.sources]);
  return (
    <>
      <div className="page-head">
        <h1>Overview</h1>
        <LiveBar takenAt={snapshot?.takenAt ?? null} receivedAt={dataUpdatedAt} error={error} />
      </div>
      {!snapshot ? (
        <EmptySnapshot />
      ) : (
        <>
          <StripSources sources={snapshot.sources} />
          <h2>
            {snapshot.breaches.length === 0
              ? 'No breaches'
              : `${plural(snapshot.breaches.length, 'breach', 'breaches')}, worst first`}
          </h2>
          {snapshot.breaches.length === 0 ? (
            <p className="empty">Every consumer group and DLQ is within its thresholds.</p>
          ) : (
            <ListBreaches breaches={snapshot.breaches} sources={sources} />
          )}
          <ListHealthy items={snapshot.healthy} />
        </>
      )}
    </>
  );
}
