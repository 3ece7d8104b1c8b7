'use client';

import { useState } from 'react';
import { ChartHistory } from '@/components/charts/chart-history';
import type { ChartThresholds } from '@/lib/fleet/chart-thresholds';
import { groupTopicSeries } from '@/lib/fleet/fleet-view';
import type { HistoryRange } from '@/lib/fleet/history-query';

interface Props {
  cluster: string;
  groupId: string;
  topics: string[];
  range: HistoryRange;
  thresholds: Record<string, ChartThresholds>;
}

/** A group on several topics: the lag and time lag of one chosen topic, against that topic's thresholds. */
export function ChartsTopic({ cluster, groupId, topics, range, thresholds }: Props) {
  const [chosen, setChosen] = useState(topics[0] ?? '');
  const topic = topics.includes(chosen) ? chosen : (topics[0] ?? '');
  const series = groupTopicSeries(cluster, groupId, topic);
  return (
    <section aria-label="Topic history" data-testid="topic-charts">
      <div className="page-head">
        <h2>Topics</h2>
        <label className="small">
          Topic{' '}
          <select value={topic} onChange={(e) => setChosen(e.target.value)}>
            {topics.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="charts">
        <ChartHistory
          series={series}
          metric="lag"
          range={range}
          title={`Offset lag on ${topic}`}
          lines={thresholds[topic]?.lag}
        />
        <ChartHistory
          series={series}
          metric="time_lag"
          range={range}
          title={`Time lag on ${topic}`}
          lines={thresholds[topic]?.time_lag}
        />
      </div>
    </section>
  );
}
