import { formatDuration } from '@/lib/fleet/format';

/** A hop's latency: "+85 ms", "+4.2 s", "+3 min 5 s"; a child before its parent says so (clock skew). */
export function formatHop(ms: number | null): string {
  if (ms === null) return '';
  const sign = ms < 0 ? '−' : '+';
  const abs = Math.abs(ms);
  const text =
    abs < 1000
      ? `${Math.round(abs)} ms`
      : abs < 60_000
        ? `${(abs / 1000).toFixed(1)} s`
        : formatDuration(abs / 1000);
  return `${sign}${text}`;
}

/** "2026-12-03 10:05:55.123 UTC": exact to the millisecond, as incident notes quote times. */
export function formatInstant(ms: number): string {
  return `${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')} UTC`;
}

/** The address of a chain, for incident channels: any id in one escaped path segment. */
export function traceHref(value: string, kind?: string): string {
  const base = `/trace/${encodeURIComponent(value)}`;
  return kind && kind !== 'auto' ? `${base}?kind=${encodeURIComponent(kind)}` : base;
}
