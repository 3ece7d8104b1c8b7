'use client';

import { Line, LineChart, XAxis, YAxis } from 'recharts';
import type { Spark } from '@/lib/fleet/fleet-data';
import { HISTORY_METRIC_LABELS } from '@/lib/fleet/history-query';
import type { Tone } from '@/lib/fleet/labels';

const STROKE: Record<Tone, string> = {
  ok: 'var(--ok)',
  warn: 'var(--warn)',
  crit: 'var(--crit)',
  muted: 'var(--muted)',
};

/** The last hour of one figure, small enough for a row. Null spark: the row has no sparkline. */
export function ChartSparkline({ spark, tone }: { spark: Spark | null; tone: Tone }) {
  if (!spark) return null;
  const { title } = HISTORY_METRIC_LABELS[spark.metric];
  if (spark.points.length < 2) {
    return <span className="spark-empty">{title}: no history yet</span>;
  }
  return (
    <span title={`${title}, last hour`} data-testid="sparkline">
      <LineChart
        width={120}
        height={32}
        data={spark.points}
        margin={{ top: 2, right: 2, bottom: 2, left: 2 }}
      >
        <XAxis dataKey="at" type="number" domain={['dataMin', 'dataMax']} hide />
        <YAxis domain={['auto', 'auto']} hide />
        <Line dataKey="value" stroke={STROKE[tone]} strokeWidth={1.5} dot={false} isAnimationActive={false} />
      </LineChart>
    </span>
  );
}
