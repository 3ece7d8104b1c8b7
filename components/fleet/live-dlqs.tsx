'use client';

import { useMemo } from 'react';
import type { DlqsData } from '@/lib/fleet/fleet-data';
import { fleetQueries } from '@/lib/fleet/query-keys';
import { indexSources } from '@/lib/fleet/staleness';
import { EmptySnapshot } from './empty-snapshot';
import { LiveBar } from './live-bar';
import { StripSources } from './strip-sources';
import { TableDlqs } from './table-dlqs';
import { useLiveQuery } from './use-live-query';

interface Props {
  initial: DlqsData;
  renderedAt: number;
}

/** The DLQs of every broker, live. */
export function LiveDlqs({ initial, renderedAt }: Props) {
  const { data, dataUpdatedAt, error } = useLiveQuery<DlqsData>(fleetQueries.dlqs(), {
    data: initial,
    at: renderedAt,
  });
  const snapshot = (data ?? initial).snapshot;
  const sources = useMemo(() => indexSources(snapshot?.sources ?? []), [snapshot?.sources]);
  return (
    <>
      <div className="page-head">
        <h1>Dead-letter queues</h1>
        <LiveBar takenAt={snapshot?.takenAt ?? null} receivedAt={dataUpdatedAt} error={error} />
      </div>
      {!snapshot ? (
        <EmptySnapshot />
      ) : (
        <>
          <StripSources sources={snapshot.sources} />
          {snapshot.dlqs.length === 0 ? (
            <p className="empty">
              No DLQ found. Kafka DLQs are found by topic pattern (<code>dlqPatterns</code>), SQS DLQs by the
              redrive policies that name them or by <code>dlqNames</code>.
            </p>
          ) : (
            <TableDlqs dlqs={snapshot.dlqs} sources={sources} />
          )}
        </>
      )}
    </>
  );
}
