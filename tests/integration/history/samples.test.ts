import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compactHistory, readRecent, readSeries, recordSamples } from '@/server/history/samples';
import { createTestStore, STORE_DIALECTS, type TestStore } from '../store/support/test-stores';

const T0 = Date.UTC(2025, 0, 1);
const TICK = 30_000;
const MIN = 60_000;
const HOUR = 3_600_000;
const SERIES = 'kafka/prod/group/orders/orders/3';
const OTHER = 'kafka/prod/group/orders/orders/4';

/** `hours` of ticks; at tick i the series' lag is i and the other's is 2i. */
async function recordTicks(t: TestStore, hours: number): Promise<number> {
  const ticks = (hours * HOUR) / TICK;
  for (let i = 0; i < ticks; i++) {
    await recordSamples(t.store, T0 + i * TICK, [
      { series: SERIES, metric: 'lag', value: i },
      { series: OTHER, metric: 'lag', value: 2 * i },
    ]);
  }
  return ticks;
}

describe.each(STORE_DIALECTS)('sampled history on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createTestStore(dialect);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('reads back what was recorded: raw points of one series, recent points of many', async () => {
    for (let i = 0; i < 10; i++) {
      await recordSamples(t.store, T0 + i * TICK, [
        { series: SERIES, metric: 'lag', value: 100 + i },
        { series: SERIES, metric: 'committed', value: 9_007_199_254_740_000 + i },
        { series: OTHER, metric: 'lag', value: 0.5 * i },
      ]);
    }
    const lag = await readSeries(t.store, { series: SERIES, metric: 'lag', fromMs: T0, toMs: T0 + 15 * MIN });
    expect(lag.resolutionSeconds).toBe(30);
    expect(lag.points).toHaveLength(10);
    expect(lag.points[3]).toEqual({ at: T0 + 3 * TICK, value: 103, min: 103, max: 103 });
    const committed = await readSeries(t.store, {
      series: SERIES,
      metric: 'committed',
      fromMs: T0 + 8 * TICK,
      toMs: T0 + 15 * MIN,
    });
    expect(committed.points.map((p) => p.value)).toEqual([9_007_199_254_740_008, 9_007_199_254_740_009]);

    const recent = await readRecent(t.store, {
      series: [SERIES, OTHER, 'kafka/prod/group/orders/orders/99'],
      metric: 'lag',
      sinceMs: T0 + 7 * TICK,
    });
    expect([...recent.keys()]).toEqual([SERIES, OTHER, 'kafka/prod/group/orders/orders/99']);
    expect(recent.get(SERIES)).toEqual([
      { at: T0 + 7 * TICK, value: 107 },
      { at: T0 + 8 * TICK, value: 108 },
      { at: T0 + 9 * TICK, value: 109 },
    ]);
    expect(recent.get(OTHER)?.map((p) => p.value)).toEqual([3.5, 4, 4.5]);
    expect(recent.get('kafka/prod/group/orders/orders/99')).toEqual([]);
  });

  it('keeps the first write of a snapshot written twice', async () => {
    await recordSamples(t.store, T0, [{ series: SERIES, metric: 'depth', value: 1 }]);
    await recordSamples(t.store, T0, [{ series: SERIES, metric: 'depth', value: 2 }]);
    const read = await readSeries(t.store, { series: SERIES, metric: 'depth', fromMs: T0, toMs: T0 });
    expect(read.points.map((p) => p.value)).toEqual([1]);
  });

  it('refuses bad input with a clear error', async () => {
    const at = T0;
    await expect(
      recordSamples(t.store, at, [{ series: SERIES, metric: 'lag', value: Number.NaN }]),
    ).rejects.toThrow(/rows\[0\]\.value must be a finite number, got NaN/);
    await expect(
      // @ts-expect-error: a metric the history does not keep
      recordSamples(t.store, at, [{ series: SERIES, metric: 'throughput', value: 1 }]),
    ).rejects.toThrow(/rows\[0\]\.metric must be one of lag, time_lag, .* got throughput/);
    await expect(
      recordSamples(t.store, at, [
        { series: SERIES, metric: 'lag', value: 1 },
        { series: SERIES, metric: 'lag', value: 2 },
      ]),
    ).rejects.toThrow(/rows\[1\] repeats lag of kafka\/prod\/group\/orders\/orders\/3/);
    await expect(recordSamples(t.store, 1.5, [])).rejects.toThrow(/atMs must be epoch milliseconds/);
    await expect(
      readSeries(t.store, { series: SERIES, metric: 'lag', fromMs: T0 + 1, toMs: T0 }),
    ).rejects.toThrow(/toMs .* is before fromMs/);
    await expect(
      readSeries(t.store, { series: SERIES, metric: 'lag', fromMs: T0, toMs: T0 + 1, maxPoints: 0 }),
    ).rejects.toThrow(/maxPoints must be a whole number/);
    expect(await t.store.db.selectFrom('samples').selectAll().execute()).toEqual([]);
  });

  it('buckets raw points when a range holds more than maxPoints: weighted average, min and max', async () => {
    await recordTicks(t, 1);
    const read = await readSeries(t.store, {
      series: SERIES,
      metric: 'lag',
      fromMs: T0,
      toMs: T0 + HOUR - 1,
      maxPoints: 12,
    });
    expect(read.resolutionSeconds).toBe(300);
    expect(read.points).toHaveLength(12);
    // Ticks 10..19 fall in the second five minutes.
    expect(read.points[1]).toEqual({ at: T0 + 5 * MIN, value: 14.5, min: 10, max: 19 });
  });

  it('downsamples into 5-minute and hourly tiers and reads each range from the finest that covers it', async () => {
    const ticks = await recordTicks(t, 8);
    const now = T0 + 8 * HOUR;
    const first = await compactHistory(t.store, now, { retentionHours: 168 });
    // Up to now minus the grace (7:58) in 5-minute buckets, 7 whole hours, for both series.
    expect(first.downsampled).toBe(2 * (95 + 7));
    expect(first.deleted).toBe(2 * ((6 * HOUR) / TICK));
    expect(await compactHistory(t.store, now, { retentionHours: 168 })).toEqual({
      downsampled: 0,
      deleted: 0,
    });

    // The last hour is still raw.
    const lastHour = await readSeries(t.store, {
      series: SERIES,
      metric: 'lag',
      fromMs: now - HOUR,
      toMs: now,
    });
    expect(lastHour.resolutionSeconds).toBe(30);
    expect(lastHour.points).toHaveLength(HOUR / TICK);
    expect(lastHour.points.at(-1)?.value).toBe(ticks - 1);

    // Eight hours reach past the raw samples kept: 5-minute buckets, the newest built from raw.
    const day = await readSeries(t.store, { series: SERIES, metric: 'lag', fromMs: T0, toMs: now });
    expect(day.resolutionSeconds).toBe(300);
    expect(day.points).toHaveLength(96);
    day.points.forEach((point, b) => {
      expect(point).toEqual({ at: T0 + b * 5 * MIN, value: 10 * b + 4.5, min: 10 * b, max: 10 * b + 9 });
    });

    // Two days on, the 5-minute buckets are gone too: hourly buckets, averaged from the 5-minute ones.
    const later = T0 + 56 * HOUR;
    const second = await compactHistory(t.store, later, { retentionHours: 168 });
    expect(second.deleted).toBeGreaterThan(0);
    const week = await readSeries(t.store, { series: OTHER, metric: 'lag', fromMs: T0, toMs: later });
    expect(week.resolutionSeconds).toBe(3_600);
    expect(week.points).toHaveLength(8);
    week.points.forEach((point, h) => {
      expect(point).toEqual({
        at: T0 + h * HOUR,
        value: 2 * (120 * h + 59.5),
        min: 240 * h,
        max: 240 * h + 238,
      });
    });
    expect(await t.store.db.selectFrom('samples').selectAll().execute()).toEqual([]);
  });

  it('drops everything past the retention from every tier', async () => {
    await recordTicks(t, 4);
    const now = T0 + 4 * HOUR;
    await compactHistory(t.store, now, { retentionHours: 3 });
    const all = await readSeries(t.store, { series: SERIES, metric: 'lag', fromMs: T0, toMs: now });
    // The oldest hour is gone; the rest comes from the finest tier that holds all of it.
    expect(all.resolutionSeconds).toBe(300);
    expect(all.points[0]).toEqual({ at: T0 + HOUR, value: 124.5, min: 120, max: 129 });
    expect(all.points).toHaveLength(36);
    const week = await compactHistory(t.store, now + 7 * 24 * HOUR, { retentionHours: 168 });
    expect(week.deleted).toBeGreaterThan(0);
    expect(await t.store.db.selectFrom('sample_rollups').selectAll().execute()).toEqual([]);
    expect(await t.store.db.selectFrom('samples').selectAll().execute()).toEqual([]);
  });
});
