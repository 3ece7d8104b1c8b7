import { LEVELS, type Level, METRIC_LABELS, METRICS, type Metric, type Threshold } from './metrics';
import type { MatchedThreshold, ResolvedThresholds } from './resolve';

/** The figures measured for one subject; absent or null = not measured. A backlog that never clears is Infinity. */
export type MeasuredFigures = Partial<Record<Metric, number | null>>;

export interface MetricVerdict {
  metric: Metric;
  value: number;
  level: Level;
  rule: string;
  /** For the UI: "critical: DLQ depth 3 > 0 (default for DLQs)". */
  message: string;
}

export interface ThresholdEvaluation {
  level: Level;
  /** One per measured figure that has a level set, in METRICS order. */
  metrics: MetricVerdict[];
  reason: string;
  /** The figure behind a warn or critical level; null when every figure is ok. */
  metric: Metric | null;
}

export function evaluateThresholds(
  measured: MeasuredFigures,
  thresholds: ResolvedThresholds,
): ThresholdEvaluation {
  const metrics = METRICS.flatMap((metric) => {
    const value = measured[metric];
    const threshold = thresholds[metric];
    return value === undefined || value === null || !threshold ? [] : judge(metric, value, threshold);
  });
  const worst = metrics.reduce<MetricVerdict | undefined>(
    (a, v) => (!a || rank(v.level) > rank(a.level) ? v : a),
    undefined,
  );
  if (!worst)
    return { level: 'ok', metrics, reason: 'ok: no thresholds apply to the measured figures', metric: null };
  if (worst.level === 'ok') {
    const count = metrics.length === 1 ? '1 figure' : `${metrics.length} figures`;
    return { level: 'ok', metrics, reason: `ok: ${count} within thresholds`, metric: null };
  }
  return { level: worst.level, metrics, reason: worst.message, metric: worst.metric };
}

const rank = (level: Level) => LEVELS.indexOf(level);

/** No verdict for a metric switched off (`{}`). */
function judge(metric: Metric, value: number, t: MatchedThreshold): MetricVerdict[] {
  const found = levelOf(value, t);
  if (!found) return [];
  const { label, unit } = METRIC_LABELS[metric];
  const figure = (n: number) => (n === Number.POSITIVE_INFINITY ? '∞' : `${round(n)}${unit}`);
  const sign = found.level === 'ok' ? '≤' : '>';
  const message = `${found.level}: ${label} ${figure(value)} ${sign} ${figure(found.limit)} (${t.rule})`;
  return [{ metric, value, level: found.level, rule: t.rule, message }];
}

/** Strictly above a level fires it, so critical 0 means "any at all". */
function levelOf(value: number, t: Threshold): { level: Level; limit: number } | null {
  if (t.critical !== undefined && value > t.critical) return { level: 'critical', limit: t.critical };
  if (t.warn !== undefined && value > t.warn) return { level: 'warn', limit: t.warn };
  const limit = t.warn ?? t.critical;
  return limit === undefined ? null : { level: 'ok', limit };
}

const round = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
