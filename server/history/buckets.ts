import 'server-only';

/** A stored point: a raw sample (n = 1, min = max = value) or a downsampled bucket of n samples. */
export interface StoredPoint {
  at: number;
  value: number;
  min: number;
  max: number;
  n: number;
}

export interface BucketedPoint {
  at: number;
  value: number;
  min: number;
  max: number;
}

/** Bucket lengths a chart axis reads well, in seconds; each tier's resolution divides the ones above it. */
const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200];
const DAY = 86_400;

/** The shortest readable step of at least `minSeconds` that is a multiple of `resolution`. */
export function bucketStep(minSeconds: number, resolution: number): number {
  const floor = Math.max(minSeconds, resolution, 1);
  const step = STEPS.find((s) => s >= floor && s % Math.max(resolution, 1) === 0);
  return step ?? Math.ceil(floor / DAY) * DAY;
}

/**
 * Merges points into epoch-aligned buckets of `stepSeconds`: average weighted by sample count, so a
 * bucket built from rollups equals one built from the raw samples; extremes kept.
 */
export function bucketPoints(points: readonly StoredPoint[], stepSeconds: number): BucketedPoint[] {
  const stepMs = stepSeconds * 1000;
  const buckets = new Map<number, StoredPoint>();
  for (const p of points) {
    const at = Math.floor(p.at / stepMs) * stepMs;
    const b = buckets.get(at);
    if (!b) {
      buckets.set(at, { at, value: p.value * p.n, min: p.min, max: p.max, n: p.n });
      continue;
    }
    b.value += p.value * p.n;
    b.min = Math.min(b.min, p.min);
    b.max = Math.max(b.max, p.max);
    b.n += p.n;
  }
  return [...buckets.values()]
    .sort((a, b) => a.at - b.at)
    .map((b) => ({ at: b.at, value: b.value / b.n, min: b.min, max: b.max }));
}

/** The typical spacing of raw samples in whole seconds (the median gap), 0 with fewer than two. */
export function medianSpacingSeconds(points: readonly { at: number }[]): number {
  const gaps = points.slice(1).map((p, i) => p.at - (points[i]?.at ?? p.at));
  if (gaps.length === 0) return 0;
  gaps.sort((a, b) => a - b);
  return Math.round((gaps[Math.floor(gaps.length / 2)] ?? 0) / 1000);
}
