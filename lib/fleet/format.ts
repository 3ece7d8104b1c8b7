import type { TimeLag, TimeLagMethod } from '@/lib/fleet/fleet-view';
import type { TimeToClear } from '@/lib/lag/time-to-clear';

/*
 * Figures as the fleet pages print them. One locale and UTC everywhere, so the server's first render
 * and the browser's hydration produce the same text.
 */

const COUNT = new Intl.NumberFormat('en-US');
const RATE = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

export const NONE = '—';

export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? NONE : COUNT.format(n);
}

export function formatRate(perSecond: number | null): string {
  return perSecond === null ? NONE : `${RATE.format(perSecond)}/s`;
}

const UNITS: [string, number][] = [
  ['d', 86_400],
  ['h', 3_600],
  ['min', 60],
  ['s', 1],
];

/** Two units at most ("4 min 12 s", "2 h 5 min", "3 d 4 h"): enough to judge, short enough to scan. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '∞';
  if (seconds <= 0) return '0 s';
  if (seconds < 1) return '<1 s';
  const whole = Math.floor(seconds);
  const index = UNITS.findIndex(([, size]) => whole >= size);
  const [unit, size] = UNITS[index] ?? ['s', 1];
  const count = Math.floor(whole / size);
  const next = UNITS[index + 1];
  const rest = next ? Math.floor((whole % size) / next[1]) : 0;
  return next && rest > 0 ? `${count} ${unit} ${rest} ${next[0]}` : `${count} ${unit}`;
}

/** "12 s ago" (ISO time or epoch ms); "never" without one. A clock a little behind reads "just now". */
export function formatAgo(at: string | number | null, nowMs: number): string {
  if (at === null) return 'never';
  const seconds = (nowMs - (typeof at === 'number' ? at : Date.parse(at))) / 1000;
  return seconds < 1 ? 'just now' : `${formatDuration(seconds)} ago`;
}

/** "03:12 UTC" today, "2024-05-01 03:12 UTC" on another day. */
export function formatUtc(iso: string, nowMs: number): string {
  const at = new Date(iso);
  const day = at.toISOString().slice(0, 10);
  const time = `${at.toISOString().slice(11, 16)} UTC`;
  return day === new Date(nowMs).toISOString().slice(0, 10) ? time : `${day} ${time}`;
}

export const TIME_LAG_METHODS: Record<TimeLagMethod, string> = {
  interpolated: 'interpolated from history',
  'record-timestamp': 'from the record timestamp',
  'caught-up': 'caught up',
};

export function formatTimeLag(lag: TimeLag | null): string {
  if (!lag) return NONE;
  if (lag.method === 'caught-up') return '0 s';
  return formatDuration(lag.seconds);
}

export function formatTimeToClear(ttc: TimeToClear): string {
  switch (ttc.kind) {
    case 'clear':
      return 'clear';
    case 'clears_in':
      return `~${formatDuration(ttc.seconds)}`;
    case 'not_catching_up':
      return 'not catching up';
    case 'unknown':
      return 'not measured yet';
  }
}

/** How long a read took: "850 ms", "2 s". */
export function formatElapsedMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : formatDuration(ms / 1000);
}

const COMPACT = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** Axis ticks, one unit each: "12.3K", "16.7 min". */
export function formatTick(value: number, unit: 'count' | 'seconds'): string {
  if (unit === 'count') return COMPACT.format(value);
  const [name, size] = UNITS.find(([, size]) => Math.abs(value) >= size) ?? ['s', 1];
  return `${RATE.format(value / size)} ${name}`;
}

export function formatValue(value: number, unit: 'count' | 'seconds'): string {
  return unit === 'seconds' ? formatDuration(value) : formatCount(Math.round(value));
}

/** Partition numbers as runs: [0, 1, 2, 3, 7, 9, 10] → "0–3, 7, 9–10". */
export function formatPartitionList(partitions: readonly number[]): string {
  const sorted = [...partitions].sort((a, b) => a - b);
  const runs: string[] = [];
  let start = sorted[0];
  let end = start;
  for (const p of [...sorted.slice(1), Number.NaN]) {
    if (start === undefined || end === undefined) break;
    if (p === end + 1) {
      end = p;
      continue;
    }
    runs.push(start === end ? String(start) : `${start}–${end}`);
    start = p;
    end = p;
  }
  return runs.join(', ');
}

/** "1 group", "2,000 groups". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}
