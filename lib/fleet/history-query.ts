import { z } from '@/lib/zod';

/** The figures the history keeps (server/history/samples.ts `SampleMetric`). */
export const HISTORY_METRICS = ['lag', 'time_lag', 'high', 'committed', 'depth', 'oldest_age'] as const;
export type HistoryMetric = (typeof HISTORY_METRICS)[number];

/** The chart windows and their length in seconds. */
export const HISTORY_RANGES = { '15m': 900, '1h': 3_600, '24h': 86_400, '7d': 604_800 } as const;
export type HistoryRange = keyof typeof HISTORY_RANGES;
/** What a chart shows first: the incident so far, at the finest resolution. */
export const DEFAULT_RANGE: HistoryRange = '1h';

export const RANGE_LABELS: Record<HistoryRange, string> = {
  '15m': '15 min',
  '1h': '1 h',
  '24h': '24 h',
  '7d': '7 d',
};

/** A chart is a few hundred pixels wide: more points than this only cost bytes. */
export const CHART_POINTS = 300;

export const historyQuerySchema = z.strictObject({
  series: z.string({ error: 'series is required' }).min(1, 'series is required').max(1_000),
  metric: z.enum(HISTORY_METRICS, { error: `metric must be one of ${HISTORY_METRICS.join(', ')}` }),
  range: z
    .enum(Object.keys(HISTORY_RANGES) as [HistoryRange, ...HistoryRange[]], {
      error: `range must be one of ${Object.keys(HISTORY_RANGES).join(', ')}`,
    })
    .default('1h'),
});
export type HistoryQuery = z.infer<typeof historyQuerySchema>;

export interface HistoryPoint {
  /** Epoch milliseconds. */
  at: number;
  value: number;
  min: number;
  max: number;
}

export interface HistoryData {
  series: string;
  metric: HistoryMetric;
  range: HistoryRange;
  fromMs: number;
  toMs: number;
  resolutionSeconds: number;
  points: HistoryPoint[];
}

/** How each metric reads on an axis and in a title. */
export const HISTORY_METRIC_LABELS: Record<HistoryMetric, { title: string; unit: 'count' | 'seconds' }> = {
  lag: { title: 'Offset lag', unit: 'count' },
  time_lag: { title: 'Time lag', unit: 'seconds' },
  high: { title: 'Log end offset', unit: 'count' },
  committed: { title: 'Committed offset', unit: 'count' },
  depth: { title: 'Depth', unit: 'count' },
  oldest_age: { title: 'Oldest message age', unit: 'seconds' },
};
