import type { Metric } from '@/lib/thresholds/metrics';
import type { HistoryMetric } from './history-query';

/** The history series that shows each threshold figure; time to clear is drawn as the lag it clears. */
const SERIES_METRIC: Record<Metric, HistoryMetric> = {
  dlqDepth: 'depth',
  dlqOldestAgeSeconds: 'oldest_age',
  timeLagSeconds: 'time_lag',
  offsetLag: 'lag',
  timeToClearSeconds: 'lag',
};

/**
 * Which history to draw beside a breach: the figure that set its level, else (a level set by the lag
 * status, or a view stored before judgements named their figure) the subject's main figure.
 */
export function breachMetric(judgement: { metric?: Metric | null }, kind: 'group' | 'dlq'): HistoryMetric {
  if (judgement.metric) return SERIES_METRIC[judgement.metric];
  return kind === 'group' ? 'lag' : 'depth';
}

/** The threshold figure drawn on a chart of each history metric. */
export const METRIC_OF_SERIES: Partial<Record<HistoryMetric, Metric>> = {
  lag: 'offsetLag',
  time_lag: 'timeLagSeconds',
  depth: 'dlqDepth',
  oldest_age: 'dlqOldestAgeSeconds',
};
