import { describe, expect, it } from 'vitest';
import { evaluateThresholds, type MeasuredFigures } from '@/lib/thresholds/evaluate';
import { type ResolvedThresholds, resolveThresholds } from '@/lib/thresholds/resolve';
import { thresholdsConfig } from './thresholds-config';

const defaults = resolveThresholds(thresholdsConfig(), { cluster: 'prod-eu', queue: 'orders-dlq' });
const configured: ResolvedThresholds = {
  ...defaults,
  timeToClearSeconds: { warn: 600, critical: 1800, rule: 'thresholds.defaults' },
};

describe('evaluateThresholds', () => {
  it.each([
    { measured: { dlqDepth: 3 }, level: 'critical', message: 'critical: DLQ depth 3 > 0 (default for DLQs)' },
    { measured: { dlqDepth: 0 }, level: 'ok', message: 'ok: DLQ depth 0 ≤ 0 (default for DLQs)' },
    {
      measured: { timeLagSeconds: 60 },
      level: 'ok',
      message: 'ok: time lag 60 s ≤ 60 s (default, realtime profile)',
    },
    {
      measured: { timeLagSeconds: 75.44 },
      level: 'warn',
      message: 'warn: time lag 75.4 s > 60 s (default, realtime profile)',
    },
    {
      measured: { timeLagSeconds: 300 },
      level: 'warn',
      message: 'warn: time lag 300 s > 60 s (default, realtime profile)',
    },
    {
      measured: { timeLagSeconds: 301 },
      level: 'critical',
      message: 'critical: time lag 301 s > 300 s (default, realtime profile)',
    },
    {
      measured: { timeToClearSeconds: Number.POSITIVE_INFINITY },
      level: 'critical',
      message: 'critical: time to clear ∞ > 1800 s (thresholds.defaults)',
    },
  ])('$measured: $level', ({ measured, level, message }) => {
    const result = evaluateThresholds(measured, configured);
    expect(result.level).toBe(level);
    expect(result.metrics.map((m) => m.message)).toEqual([message]);
  });

  it('gives the worst figure as the reason, the first in metric order on a tie', () => {
    const measured: MeasuredFigures = { timeLagSeconds: 900, dlqDepth: 2, timeToClearSeconds: 700 };
    const result = evaluateThresholds(measured, configured);
    expect(result.metrics.map((m) => [m.metric, m.level])).toEqual([
      ['dlqDepth', 'critical'],
      ['timeLagSeconds', 'critical'],
      ['timeToClearSeconds', 'warn'],
    ]);
    expect([result.level, result.reason, result.metric]).toEqual([
      'critical',
      'critical: DLQ depth 2 > 0 (default for DLQs)',
      'dlqDepth',
    ]);
  });

  it('says how many figures are within their thresholds when all are', () => {
    const result = evaluateThresholds({ dlqDepth: 0, timeLagSeconds: 5 }, configured);
    expect([result.level, result.reason, result.metric]).toEqual([
      'ok',
      'ok: 2 figures within thresholds',
      null,
    ]);
  });

  it('skips figures not measured, figures without a threshold, and metrics switched off', () => {
    const off: ResolvedThresholds = {
      ...configured,
      dlqDepth: { rule: 'thresholds.overrides[0] (queue noisy-*)' },
    };
    const measured: MeasuredFigures = { dlqDepth: 40, offsetLag: 1_000_000, timeLagSeconds: null };
    expect(evaluateThresholds(measured, off)).toEqual({
      level: 'ok',
      metrics: [],
      reason: 'ok: no thresholds apply to the measured figures',
      metric: null,
    });
  });
});
