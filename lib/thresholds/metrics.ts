/** The figures thresholds apply to; ties between equally bad figures go to the first in this order. */
export const METRICS = [
  'dlqDepth',
  'dlqOldestAgeSeconds',
  'timeLagSeconds',
  'offsetLag',
  'timeToClearSeconds',
] as const;

export type Metric = (typeof METRICS)[number];

export const METRIC_LABELS: Record<Metric, { label: string; unit: string }> = {
  dlqDepth: { label: 'DLQ depth', unit: '' },
  dlqOldestAgeSeconds: { label: 'oldest DLQ message age', unit: ' s' },
  timeLagSeconds: { label: 'time lag', unit: ' s' },
  offsetLag: { label: 'offset lag', unit: '' },
  timeToClearSeconds: { label: 'time to clear', unit: ' s' },
};

/** Least to most severe. */
export const LEVELS = ['ok', 'warn', 'critical'] as const;
export type Level = (typeof LEVELS)[number];

/** A figure above `warn` warns, above `critical` is critical; a level left out never fires. */
export interface Threshold {
  warn?: number;
  critical?: number;
}

export type MetricThresholds = Partial<Record<Metric, Threshold>>;
