'use client';

import Link from 'next/link';
import { useState } from 'react';
import { ChartHistory } from '@/components/charts/chart-history';
import type { ChartThresholds } from '@/lib/fleet/chart-thresholds';
import type { GroupData } from '@/lib/fleet/fleet-data';
import { groupPartitionSeries } from '@/lib/fleet/fleet-view';
import { DEFAULT_RANGE, type HistoryData, type HistoryRange } from '@/lib/fleet/history-query';
import { fleetQueries } from '@/lib/fleet/query-keys';
import { indexSources, staleSource } from '@/lib/fleet/staleness';
import { ChartsTopic } from './charts-topic';
import { EmptySnapshot } from './empty-snapshot';
import { LiveBar } from './live-bar';
import { RangePicker } from './range-picker';
import { StaleNote } from './stale-note';
import { SummaryGroup } from './summary-group';
import { TableMembers } from './table-members';
import { partitionKey, TablePartitions } from './table-partitions';
import { useLiveQuery } from './use-live-query';

interface Props {
  cluster: string;
  groupId: string;
  initial: GroupData;
  /** The group's own charts over the default range, read with the page. */
  initialHistory: { lag: HistoryData; time_lag: HistoryData } | null;
  thresholds: { group: ChartThresholds; topics: Record<string, ChartThresholds> };
  renderedAt: number;
}

/** One consumer group, live: summary, lag charts with thresholds, partitions (click one to chart it), members. */
export function LiveGroup(props: Props) {
  const { cluster, groupId, initial, initialHistory, thresholds, renderedAt } = props;
  const { data, dataUpdatedAt, error } = useLiveQuery<GroupData>(fleetQueries.group(cluster, groupId), {
    data: initial,
    at: renderedAt,
  });
  const [range, setRange] = useState<HistoryRange>(DEFAULT_RANGE);
  const [selected, setSelected] = useState<string | null>(null);
  const snapshot = (data ?? initial).snapshot;
  const group = snapshot?.group;
  const stale = snapshot && staleSource(indexSources(snapshot.sources), 'kafka', cluster);
  const partition = group?.partitions.find((p) => partitionKey(p) === selected);
  const topicLines = partition ? thresholds.topics[partition.topic] : undefined;

  return (
    <>
      <p className="small">
        <Link href="/lag">Consumer lag</Link> / kafka {cluster}
      </p>
      <div className="page-head">
        <h1>{groupId}</h1>
        <LiveBar takenAt={snapshot?.takenAt ?? null} receivedAt={dataUpdatedAt} error={error} />
      </div>
      {!group ? (
        <EmptySnapshot />
      ) : (
        <>
          {stale && <StaleNote source={stale} />}
          <SummaryGroup group={group} />
          <div className="page-head">
            <h2>History</h2>
            <RangePicker range={range} onChange={setRange} />
          </div>
          <div className="charts">
            <ChartHistory
              series={group.id}
              metric="lag"
              range={range}
              lines={thresholds.group.lag}
              initial={initialHistory ? { data: initialHistory.lag, at: renderedAt } : undefined}
            />
            <ChartHistory
              series={group.id}
              metric="time_lag"
              range={range}
              lines={thresholds.group.time_lag}
              initial={initialHistory ? { data: initialHistory.time_lag, at: renderedAt } : undefined}
            />
          </div>
          {group.topics.length > 1 && (
            <ChartsTopic
              cluster={cluster}
              groupId={groupId}
              topics={group.topics}
              range={range}
              thresholds={thresholds.topics}
            />
          )}
          <h2>Partitions</h2>
          {partition && (
            <section
              className="charts"
              aria-label={`Partition ${partition.topic} #${partition.partition}`}
              data-testid="partition-charts"
            >
              <ChartHistory
                series={groupPartitionSeries(cluster, groupId, partition.topic, partition.partition)}
                metric="lag"
                range={range}
                title={`Offset lag of ${partition.topic} #${partition.partition}`}
                lines={topicLines?.lag}
              />
              <ChartHistory
                series={groupPartitionSeries(cluster, groupId, partition.topic, partition.partition)}
                metric="time_lag"
                range={range}
                title={`Time lag of ${partition.topic} #${partition.partition}`}
                lines={topicLines?.time_lag}
              />
            </section>
          )}
          {group.partitions.length === 0 ? (
            <p className="empty">This group has no committed offsets on any partition.</p>
          ) : (
            <TablePartitions partitions={group.partitions} selected={selected} onSelect={setSelected} />
          )}
          <h2>Members</h2>
          <TableMembers members={group.members} />
        </>
      )}
    </>
  );
}
