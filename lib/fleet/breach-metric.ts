import { LEVELS, METRIC_LABELS, METRICS, type Metric } from '@/lib/thresholds/metrics';
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
 * Which history to draw beside a breach: the figure its judgement names ("critical: time lag 400 s >
 * 300 s (…)", as lib/thresholds/evaluate.ts words it), else the subject's main figure.
 */
export function breachMetric(reason: string, kind: 'group' | 'dlq'): HistoryMetric {
  const named = METRICS.find((metric) =>
    LEVELS.some((level) => reason.startsWith(`${level}: ${METRIC_LABELS[metric].label} `)),
  );
  if (named) return SERIES_METRIC[named];
  return kind === 'group' ? 'lag' : 'depth';
}

/** The threshold figure drawn on a chart of each history metric. */
export const METRIC_OF_SERIES: Partial<Record<HistoryMetric, Metric>> = {
  lag: 'offsetLag',
  time_lag: 'timeLagSeconds',
  depth: 'dlqDepth',
  oldest_age: 'dlqOldestAgeSeconds',
};
