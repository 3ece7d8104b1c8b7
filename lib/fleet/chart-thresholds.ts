import type { ResolvedThresholds } from '@/lib/thresholds/resolve';
import { METRIC_OF_SERIES } from './breach-metric';
import type { HistoryMetric } from './history-query';

export interface ChartLine {
  level: 'warn' | 'critical';
  value: number;
  /** The rule that set it, shown on hover: "default, realtime profile". */
  rule: string;
}

/** Warn and critical lines for a chart of each history metric, from the subject's resolved thresholds. */
export type ChartThresholds = Partial<Record<HistoryMetric, ChartLine[]>>;

export function chartThresholds(resolved: ResolvedThresholds): ChartThresholds {
  const out: ChartThresholds = {};
  for (const [series, metric] of Object.entries(METRIC_OF_SERIES) as [
    HistoryMetric,
    keyof ResolvedThresholds,
  ][]) {
    const t = resolved[metric];
    if (!t) continue;
    const lines: ChartLine[] = [];
    if (t.warn !== undefined) lines.push({ level: 'warn', value: t.warn, rule: t.rule });
    if (t.critical !== undefined) lines.push({ level: 'critical', value: t.critical, rule: t.rule });
    if (lines.length > 0) out[series] = lines;
  }
  return out;
}
