'use client';

import { HISTORY_RANGES, type HistoryRange, RANGE_LABELS } from '@/lib/fleet/history-query';

/** 15 min / 1 h / 24 h / 7 d for every chart of a page. */
export function RangePicker({
  range,
  onChange,
}: {
  range: HistoryRange;
  onChange(range: HistoryRange): void;
}) {
  return (
    <fieldset className="ranges" aria-label="Chart range">
      {(Object.keys(HISTORY_RANGES) as HistoryRange[]).map((r) => (
        <button key={r} type="button" aria-pressed={r === range} onClick={() => onChange(r)}>
          {RANGE_LABELS[r]}
        </button>
      ))}
    </fieldset>
  );
}
