'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import { fetchJson } from '@/components/fleet/fetch-json';
import { useLive } from '@/components/fleet/live-context';
import type { ChartLine } from '@/lib/fleet/chart-thresholds';
import { secondTicks, timeTicks } from '@/lib/fleet/chart-ticks';
import { formatDuration, formatTick, formatValue } from '@/lib/fleet/format';
import {
  HISTORY_METRIC_LABELS,
  HISTORY_RANGES,
  type HistoryData,
  type HistoryMetric,
  type HistoryRange,
} from '@/lib/fleet/history-query';
import { fleetQueries } from '@/lib/fleet/query-keys';

interface Props {
  series: string;
  metric: HistoryMetric;
  range: HistoryRange;
  title?: string;
  lines?: ChartLine[];
  /** The server's read of the same series, for a first paint with data. */
  initial?: { data: HistoryData; at: number };
}

const LINE_COLOUR = { warn: 'var(--warn)', critical: 'var(--crit)' } as const;

function timeTick(range: HistoryRange) {
  return (at: number) => {
    const iso = new Date(at).toISOString();
    return range === '7d' ? iso.slice(5, 10) : iso.slice(11, 16);
  };
}

/** One history series over the chosen range, with its warn and critical thresholds drawn across. */
export function ChartHistory({ series, metric, range, title, lines = [], initial }: Props) {
  const { refreshMs, paused } = useLive();
  const query = fleetQueries.history(series, metric, range);
  const { data, error, isPlaceholderData } = useQuery({
    queryKey: query.queryKey,
    queryFn: ({ signal }) => fetchJson<HistoryData>(query.url, signal),
    initialData: initial && initial.data.range === range ? initial.data : undefined,
    initialDataUpdatedAt: initial?.at,
    // Switching range keeps the old line up until the new one arrives, instead of blanking the chart.
    placeholderData: keepPreviousData,
    staleTime: refreshMs / 2,
    refetchInterval: paused ? false : refreshMs,
    refetchOnWindowFocus: !paused,
  });
  const { title: metricTitle, unit } = HISTORY_METRIC_LABELS[metric];
  const heading = title ?? metricTitle;
  const toMs = data?.toMs ?? Date.now();
  const fromMs = data?.fromMs ?? toMs - HISTORY_RANGES[range] * 1000;
  // Time lags get whole-minute ticks high enough for the data and the threshold lines alike.
  const yTicks =
    unit === 'seconds' && data
      ? secondTicks(Math.max(...data.points.map((p) => p.value), ...lines.map((l) => l.value)))
      : undefined;

  return (
    <figure className="chart" data-testid="chart" data-metric={metric} aria-busy={isPlaceholderData}>
      <h3>
        {heading}
        {data && data.resolutionSeconds > 0 && (
          <span className="muted small"> · one point per {formatDuration(data.resolutionSeconds)}</span>
        )}
      </h3>
      {error && (
        <p className="error-text small" role="alert">
          Could not load the history: {error.message}
        </p>
      )}
      {!data ? (
        <div className="chart-empty">Loading the history…</div>
      ) : data.points.length === 0 ? (
        <div className="chart-empty" data-testid="chart-empty">
          No history in this range yet: the worker records a point at each snapshot.
        </div>
      ) : (
        <div className="chart-box">
          <LineChart
            responsive
            width="100%"
            height="100%"
            data={data.points}
            margin={{ top: 8, right: 16, bottom: 0, left: 0 }}
          >
            <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
            <XAxis
              dataKey="at"
              type="number"
              scale="time"
              domain={[fromMs, toMs]}
              ticks={timeTicks(fromMs, toMs)}
              tickFormatter={timeTick(range)}
              stroke="var(--muted)"
              fontSize={11}
            />
            <YAxis
              tickFormatter={(v: number) => formatTick(v, unit)}
              ticks={yTicks}
              domain={yTicks ? [0, yTicks.at(-1) ?? 'auto'] : undefined}
              width={64}
              stroke="var(--muted)"
              fontSize={11}
            />
            <Tooltip
              labelFormatter={(at) =>
                `${new Date(Number(at)).toISOString().slice(0, 16).replace('T', ' ')} UTC`
              }
              formatter={(v) => [formatValue(Number(v), unit), heading]}
              contentStyle={{
                background: 'var(--panel)',
                border: '1px solid var(--border)',
                color: 'var(--text)',
              }}
            />
            {lines.map((line) => (
              <ReferenceLine
                key={line.level}
                y={line.value}
                stroke={LINE_COLOUR[line.level]}
                strokeDasharray="6 4"
                ifOverflow="extendDomain"
                label={{
                  value: `${line.level} ${formatValue(line.value, unit)}`,
                  position: 'insideTopRight',
                  fill: LINE_COLOUR[line.level],
                  fontSize: 11,
                }}
              />
            ))}
            <Line
              type="monotone"
              dataKey="value"
              stroke="var(--accent)"
              strokeWidth={2}
              dot={data.points.length < 3}
              isAnimationActive={false}
            />
          </LineChart>
        </div>
      )}
      {lines.length > 0 && (
        <figcaption className="muted small">
          Thresholds: {lines.map((l) => `${l.level} above ${formatValue(l.value, unit)}`).join(', ')} (
          {lines[0]?.rule})
        </figcaption>
      )}
    </figure>
  );
}
